package io.fieldcrypt.benchmarks;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import java.math.BigDecimal;
import java.time.LocalDate;

/** {@link BenchRecord} without encryption: the baseline. */
@Entity
public class PlainRecord implements Record {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "plain_seq")
    @SequenceGenerator(name = "plain_seq", allocationSize = 500)
    public Long id;

    public String secretName;
    public LocalDate secretDate;
    public BigDecimal secretAmount;
    public String plainName;
    public LocalDate plainDate;
    public BigDecimal plainAmount;

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
