package io.fieldcrypt.benchmarks;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.MappedSuperclass;
import java.math.BigDecimal;
import java.time.LocalDate;

/** The three secret attributes encrypted by fieldcrypt, for the entity variants that differ only in their id. */
@MappedSuperclass
abstract class EncryptedSecrets extends RecordBase {

    @Encrypted
    public String secretName;

    @Encrypted
    public LocalDate secretDate;

    @Encrypted
    public BigDecimal secretAmount;

    @Override
    void secrets(String name, LocalDate date, BigDecimal amount) {
        secretName = name;
        secretDate = date;
        secretAmount = amount;
    }

    @Override
    String secretName() {
        return secretName;
    }

    @Override
    void secretName(String name) {
        secretName = name;
    }
}
