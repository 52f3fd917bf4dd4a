package io.fieldcrypt.benchmarks;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A table whose text column held plaintext, encrypted in place by {@link MigrateHarness}. */
@Entity
public class LegacyRecord {

    @Id
    public Long id;

    @Encrypted(storage = Encrypted.Storage.TEXT)
    @Column(length = 1000)
    public String secretText;
}
