package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** An entity whose values a test rewrites in envelope format version 1. Default scope: {@code lc_legacy.secret}. */
@Entity
@Table(name = "lc_legacy")
public class Legacy {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_legacy_seq")
    @SequenceGenerator(name = "lc_legacy_seq", sequenceName = "lc_legacy_seq", allocationSize = 1)
    public Long id;

    public String label;

    @Encrypted
    public String secret;

    public Legacy() {}

    public Legacy(String label, String secret) {
        this.label = label;
        this.secret = secret;
    }
}
