package io.fieldcrypt.benchmarks;

import jakarta.persistence.MappedSuperclass;
import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * What the harness's entity variants share: three plain attributes, and filling every attribute from a row number.
 * The variants differ in how they map the three "secret" attributes and their id.
 */
@MappedSuperclass
abstract class RecordBase {

    public String plainName;
    public LocalDate plainDate;
    public BigDecimal plainAmount;

    /** Sets every attribute from row number {@code i}. */
    void fill(int i) {
        plainName = String.format("%-40s", "name-" + i).replace(' ', 'x');
        plainDate = LocalDate.of(1950, 1, 1).plusDays(i % 20_000);
        plainAmount = BigDecimal.valueOf(i, 2);
        secrets(plainName, plainDate, plainAmount);
    }

    /** Sets the three secret attributes. */
    abstract void secrets(String name, LocalDate date, BigDecimal amount);

    abstract String secretName();

    abstract void secretName(String name);
}
