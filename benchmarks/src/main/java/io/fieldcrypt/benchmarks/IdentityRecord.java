package io.fieldcrypt.benchmarks;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** {@link BenchRecord} with an IDENTITY id: each insert is one INSERT and one UPDATE that seals for the new id. */
@Entity
public class IdentityRecord extends EncryptedSecrets {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
}
