package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** The final mapping of {@code Scoped}: only {@code scoped.new} keys open its values. */
@Entity(name = "Scoped")
@Table(name = "lc_scoped")
public class ScopedV3 {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_scoped_seq")
    @SequenceGenerator(name = "lc_scoped_seq", sequenceName = "lc_scoped_seq", allocationSize = 1)
    public Long id;

    @Encrypted(scope = "scoped.new")
    public String value;

    public ScopedV3() {}

    public ScopedV3(String value) {
        this.value = value;
    }
}
