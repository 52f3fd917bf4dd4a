package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The clock of a batch job: how long it has run, and the wait that keeps it under its rate limit. */
final class JobPace {

    private final long started = System.nanoTime();
    private final double maxRowsPerSecond;
    private final String job;

    /**
     * @param maxRowsPerSecond the rate limit, or 0 for none
     * @param job what the job is, for the message when it is interrupted ("re-encryption")
     */
    JobPace(double maxRowsPerSecond, String job) {
        this.maxRowsPerSecond = maxRowsPerSecond;
        this.job = job;
    }

    /** Waits until {@code rowsSoFar} rows are within the rate limit. */
    void throttle(long rowsSoFar) {
        if (maxRowsPerSecond <= 0) {
            return;
        }
        long dueNanos = (long) (rowsSoFar / maxRowsPerSecond * 1e9);
        long aheadNanos = dueNanos - (System.nanoTime() - started);
        if (aheadNanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(aheadNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FieldCryptException(job + " interrupted; rerun to resume", e);
            }
        }
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
