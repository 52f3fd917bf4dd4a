package io.fieldcrypt.hibernate;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of {@link FieldCrypt#rebuildBlindIndexes(ReEncryptOptions)}.
 *
 * @param scanned rows read, over every index being rotated
 * @param written next-index values written (rows whose value was missing or stale)
 * @param unreadable source values that could not be opened (tampered, or their data key is gone); their next index
 *     is left as it was
 * @param remaining rows whose next index the run could not check: their source could not be opened. 0 means every
 *     row's next index is right (rows written meanwhile are kept right by the application, which writes both)
 * @param duration how long the run took
 */
public record BlindIndexRebuildReport(long scanned, long written, long unreadable, long remaining, Duration duration) {

    /**
     * @throws NullPointerException if {@code duration} is null
     */
    public BlindIndexRebuildReport {
        Objects.requireNonNull(duration, "duration");
    }
}
