package io.fieldcrypt.benchmarks;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** {@link PlainRecord} with an IDENTITY id: what IDENTITY costs Hibernate without encryption (no batching). */
@Entity
public class PlainIdentityRecord extends PlainSecrets {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
}
