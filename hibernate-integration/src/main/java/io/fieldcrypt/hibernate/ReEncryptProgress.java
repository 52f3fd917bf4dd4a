package io.fieldcrypt.hibernate;

import java.time.Duration;

/**
 * Where a re-encryption run stands after a committed batch. Counts are for this run, all tables so far.
 *
 * @param table the table of the batch
 * @param scanned rows read because they held a value to move: under a retired data key, under a data key of a
 *     previous scope of its attribute, or in envelope format version 1
 * @param reEncrypted rows rewritten under current data keys
 * @param elapsed time since the run started
 */
public record ReEncryptProgress(String table, long scanned, long reEncrypted, Duration elapsed) {

    /** @return rows re-encrypted per second so far */
    public double rowsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : reEncrypted / seconds;
    }
}
