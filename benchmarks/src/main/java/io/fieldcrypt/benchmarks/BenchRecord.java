package io.fieldcrypt.benchmarks;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;

/** The harness's entity: three encrypted attributes and three plain ones of the same types. */
@Entity
public class BenchRecord extends EncryptedSecrets {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "bench_seq")
    @SequenceGenerator(name = "bench_seq", allocationSize = 500)
    public Long id;

    /** A row with values derived from {@code i}. */
    static BenchRecord of(int i) {
        BenchRecord record = new BenchRecord();
        record.fill(i);
        return record;
    }
}
