package io.fieldcrypt.benchmarks;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.math.BigDecimal;
import java.time.LocalDate;

/** {@link BenchRecord} with an IDENTITY id: each insert is one INSERT and one UPDATE that seals for the new id. */
@Entity
public class IdentityRecord extends RecordBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

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
