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
public class BenchRecord implements Record {

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

    public String plainName;

    public LocalDate plainDate;

    public BigDecimal plainAmount;

    /** A row with values derived from {@code i}. */
    static BenchRecord of(int i) {
        BenchRecord record = new BenchRecord();
        record.fill(i);
        return record;
    }

    @Override
    public void fill(int i) {
        secretName = Record.name(i);
        plainName = secretName;
        secretDate = Record.date(i);
        plainDate = secretDate;
        secretAmount = Record.amount(i);
        plainAmount = secretAmount;
    }

    @Override
    public String secretName() {
        return secretName;
    }

    @Override
    public void secretName(String name) {
        secretName = name;
    }
}
