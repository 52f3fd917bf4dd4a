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
public class BenchRecord {

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

    /** A row with a 40-character name and values derived from {@code i}. */
    static BenchRecord of(int i) {
        BenchRecord record = new BenchRecord();
        String name = String.format("%-40s", "name-" + i).replace(' ', 'x');
        record.secretName = name;
        record.plainName = name;
        record.secretDate = LocalDate.of(1950, 1, 1).plusDays(i % 20_000);
        record.plainDate = record.secretDate;
        record.secretAmount = BigDecimal.valueOf(i, 2);
        record.plainAmount = record.secretAmount;
        return record;
    }
}
