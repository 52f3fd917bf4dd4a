package io.fieldcrypt.benchmarks;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import java.math.BigDecimal;
import java.time.LocalDate;

/** The harness's entity: three encrypted attributes and three plain ones of the same types. */
@Entity
public class BenchRecord extends RecordBase {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "bench_seq")
    @SequenceGenerator(name = "bench_seq", allocationSize = 500)
    public Long id;

    @Encrypted
    public String secretName;

    @Encrypted
    public LocalDate secretDate;

    @Encrypted
    public BigDecimal secretAmount;

    /** A row with values derived from {@code i}. */
    static BenchRecord of(int i) {
        BenchRecord record = new BenchRecord();
        record.fill(i);
        return record;
    }

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
