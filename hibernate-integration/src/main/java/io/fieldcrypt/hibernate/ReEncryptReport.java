package io.fieldcrypt.hibernate;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of a re-encryption run.
 *
 * @param scanned rows read because they held a value to move: under a retired data key, under a data key of a
 *     previous scope of its attribute, or in envelope format version 1
 * @param reEncrypted rows rewritten under current data keys
 * @param skippedChanged rows whose rewrite matched no row; the job holds each row locked from reading it to
 *     rewriting it, so an application write waits for the batch (or, locked first, makes the job skip the row, which
 *     then counts in {@code remaining}) and this stays 0
 * @param unreadable values that could not be opened (tampered, or their data key is gone); they are left as they are
 * @param remaining rows that still hold a value to move when the run ended: locked by the
 *     application or another run, written meanwhile by an instance still using a retired key, or unreadable. Rerun
 *     until it is 0, at least the data key maximum age after the rotation.
 * @param duration how long the run took
 */
public record ReEncryptReport(
        long scanned, long reEncrypted, long skippedChanged, long unreadable, long remaining, Duration duration) {

    /**
     * @throws NullPointerException if {@code duration} is null
     */
    public ReEncryptReport {
        Objects.requireNonNull(duration, "duration");
    }
}
