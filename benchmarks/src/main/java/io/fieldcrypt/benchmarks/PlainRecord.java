package io.fieldcrypt.benchmarks;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;

/** {@link BenchRecord} without encryption: the baseline. */
@Entity
public class PlainRecord extends PlainSecrets {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "plain_seq")
    @SequenceGenerator(name = "plain_seq", allocationSize = 500)
    public Long id;
}
