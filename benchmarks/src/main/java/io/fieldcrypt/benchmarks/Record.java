package io.fieldcrypt.benchmarks;

import java.math.BigDecimal;
import java.time.LocalDate;

/** What the three variants of the end-to-end harness have in common. */
interface Record {

    /** Sets every attribute from row number {@code i}. */
    void fill(int i);

    String secretName();

    void secretName(String name);

    static String name(int i) {
        return String.format("%-40s", "name-" + i).replace(' ', 'x');
    }

    static LocalDate date(int i) {
        return LocalDate.of(1950, 1, 1).plusDays(i % 20_000);
    }

    static BigDecimal amount(int i) {
        return BigDecimal.valueOf(i, 2);
    }
}
