package io.fieldcrypt.benchmarks;

import jakarta.persistence.MappedSuperclass;
import java.math.BigDecimal;
import java.time.LocalDate;

/** The three secret attributes in plaintext: the baseline, for the variants that differ only in their id. */
@MappedSuperclass
abstract class PlainSecrets extends RecordBase {

    public String secretName;
    public LocalDate secretDate;
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
