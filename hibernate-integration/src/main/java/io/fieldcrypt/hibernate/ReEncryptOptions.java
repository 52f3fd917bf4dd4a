package io.fieldcrypt.hibernate;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link FieldCrypt#reEncrypt(ReEncryptOptions)} runs.
 *
 * @param jobName names the job's checkpoints; a run resumes from the checkpoints of the last run of the same name
 *     that was stopped before it finished
 * @param batchSize rows per transaction, 1 to 10,000
 * @param maxRowsPerSecond a rate limit, or 0 for none
 * @param progress called after every committed batch; an exception thrown here stops the job (the batch stays
 *     committed, and the next run resumes after it)
 */
public record ReEncryptOptions(
        String jobName, int batchSize, double maxRowsPerSecond, Consumer<ReEncryptProgress> progress) {

    /** The default job name. */
    public static final String DEFAULT_JOB = "default";
    /** The default batch size: 500 rows. */
    public static final int DEFAULT_BATCH_SIZE = 500;

    /**
     * @throws IllegalArgumentException if a bound is out of range or the job name is blank
     * @throws NullPointerException if an argument is null
     */
    public ReEncryptOptions {
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(progress, "progress");
        if (jobName.isBlank() || jobName.length() > 200) {
            throw new IllegalArgumentException("jobName must be 1 to 200 characters");
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("batchSize must be from 1 to 10000, got " + batchSize);
        }
        if (maxRowsPerSecond < 0 || Double.isNaN(maxRowsPerSecond)) {
            throw new IllegalArgumentException("maxRowsPerSecond must be 0 (no limit) or positive");
        }
    }

    /**
     * @return job {@value #DEFAULT_JOB}, batches of {@value #DEFAULT_BATCH_SIZE}, no rate limit, no progress listener
     */
    public static ReEncryptOptions defaults() {
        return new ReEncryptOptions(DEFAULT_JOB, DEFAULT_BATCH_SIZE, 0, progress -> {});
    }

    /**
     * @param size rows per transaction
     * @return a copy with that batch size
     */
    public ReEncryptOptions withBatchSize(int size) {
        return new ReEncryptOptions(jobName, size, maxRowsPerSecond, progress);
    }

    /**
     * @param rowsPerSecond the rate limit, or 0 for none
     * @return a copy with that limit
     */
    public ReEncryptOptions withMaxRowsPerSecond(double rowsPerSecond) {
        return new ReEncryptOptions(jobName, batchSize, rowsPerSecond, progress);
    }

    /**
     * @param listener called after every committed batch
     * @return a copy with that listener
     */
    public ReEncryptOptions withProgress(Consumer<ReEncryptProgress> listener) {
        return new ReEncryptOptions(jobName, batchSize, maxRowsPerSecond, listener);
    }

    /**
     * @param name the job name
     * @return a copy with that name
     */
    public ReEncryptOptions withJobName(String name) {
        return new ReEncryptOptions(name, batchSize, maxRowsPerSecond, progress);
    }
}
