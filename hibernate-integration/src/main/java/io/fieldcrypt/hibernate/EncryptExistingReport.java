package io.fieldcrypt.hibernate;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of {@link FieldCrypt#encryptExisting(ReEncryptOptions)}.
 *
 * @param scanned legacy plaintext values read
 * @param encrypted values sealed (with their blind indexes, in the same statement): in place, or from the column
 *     the attribute migrates from into its own
 * @param skipped values left alone because the application wrote the attribute itself (its own write sealed it);
 *     from a legacy column, such a row's leftover legacy value is set to NULL
 * @param remaining legacy plaintext values left when the run ended (as {@code FieldCrypt.status().plaintextValues()}
 *     counts them): rerun until it is 0
 * @param duration how long the run took
 */
public record EncryptExistingReport(long scanned, long encrypted, long skipped, long remaining, Duration duration) {

    /**
     * @throws NullPointerException if {@code duration} is null
     */
    public EncryptExistingReport {
        Objects.requireNonNull(duration, "duration");
    }
}
