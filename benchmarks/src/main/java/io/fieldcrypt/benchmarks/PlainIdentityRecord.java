package io.fieldcrypt.benchmarks;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.math.BigDecimal;
import java.time.LocalDate;

/** {@link PlainRecord} with an IDENTITY id: what IDENTITY costs Hibernate without encryption (no batching). */
@Entity
public class PlainIdentityRecord extends RecordBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

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
