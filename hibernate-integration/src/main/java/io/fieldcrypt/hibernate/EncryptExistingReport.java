package io.fieldcrypt.hibernate;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of {@link FieldCrypt#encryptExisting(ReEncryptOptions)}.
 *
 * @param scanned legacy plaintext values read
 * @param encrypted values sealed in place (with their blind indexes, in the same statement)
 * @param skipped values left alone because the application changed them between read and write (its own write
 *     sealed them)
 * @param remaining values still without the envelope marker when the run ended: rerun until it is 0
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
