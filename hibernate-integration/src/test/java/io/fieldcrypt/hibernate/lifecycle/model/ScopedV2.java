package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** The migrating mapping of {@code Scoped}: seals under {@code scoped.new}, still opens values of {@code scoped.old}. */
@Entity(name = "Scoped")
@Table(name = "lc_scoped")
public class ScopedV2 {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_scoped_seq")
    @SequenceGenerator(name = "lc_scoped_seq", sequenceName = "lc_scoped_seq", allocationSize = 1)
    public Long id;

    @Encrypted(scope = "scoped.new", previousScopes = "scoped.old")
    public String value;

    public ScopedV2() {}

    public ScopedV2(String value) {
        this.value = value;
    }
}
