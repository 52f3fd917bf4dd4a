package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** The first mapping of {@code Scoped}: its values are sealed under scope {@code scoped.old}. */
@Entity(name = "Scoped")
@Table(name = "lc_scoped")
public class ScopedV1 {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_scoped_seq")
    @SequenceGenerator(name = "lc_scoped_seq", sequenceName = "lc_scoped_seq", allocationSize = 1)
    public Long id;

    @Encrypted(scope = "scoped.old")
    public String value;

    public ScopedV1() {}

    public ScopedV1(String value) {
        this.value = value;
    }
}
