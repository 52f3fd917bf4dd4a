package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.hibernate.ReEncryptOptions;
import io.fieldcrypt.hibernate.ReEncryptProgress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of fieldcrypt's row jobs: batches over one table in key order, one transaction each, resuming from the
 * job's checkpoint and clearing it when the table is done, reporting progress and keeping to the rate limit after
 * every committed batch. The batch itself saves the checkpoint, in its own transaction.
 */
final class KeysetBatches {

    private static final Logger LOG = LoggerFactory.getLogger(KeysetBatches.class);

    /** One batch after {@code cursor} ({@code null} for the first): returns its last key, or null if it had no row. */
    interface Batch {
        String[] run(Connection connection, String[] cursor) throws SQLException;
    }

    private KeysetBatches() {}

    /**
     * @param checkpoint the checkpoint's name within the job
     * @param what what a batch does, for errors ("rebuild blind index X in t")
     * @param progress what to report after a batch
     * @param scanned rows read so far, for the rate limit
     */
    static void run(
            FieldCryptRuntime runtime,
            ReEncryptOptions options,
            JobPace pace,
            EncryptedTable table,
            String checkpoint,
            String what,
            Batch batch,
            Supplier<ReEncryptProgress> progress,
            LongSupplier scanned) {
        Checkpoints checkpoints = runtime.checkpoints();
        String[] cursor = checkpoints.read(
                options.jobName(), checkpoint, table.keyColumns().size());
        if (cursor != null) {
            LOG.info("job {}: {} resumes after key {}", options.jobName(), what, Arrays.toString(cursor));
        }
        while (true) {
            String[] from = cursor;
            String[] last = Jdbc.inTransaction(runtime.connections(), what, connection -> batch.run(connection, from));
            if (last == null) {
                break;
            }
            cursor = last;
            options.progress().accept(progress.get());
            pace.throttle(scanned.getAsLong());
        }
        checkpoints.clear(options.jobName(), checkpoint);
    }
}
