package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.hibernate.BlindIndexRebuildReport;
import io.fieldcrypt.hibernate.ReEncryptOptions;
import io.fieldcrypt.hibernate.ReEncryptProgress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backfill of a blind index rotation: writes the next index of every row, from its source's plaintext, in key
 * order, in batches of one transaction each. The rows of a batch are locked ({@code FOR NO KEY UPDATE}, which waits
 * for the application's writes but not for its foreign-key checks), so none is skipped and none can change between
 * read and write. A checkpoint per table and index is committed with each batch: a run that is stopped resumes after
 * the last committed batch. Values are rewritten only where they are missing or stale, so a rerun of a finished
 * rebuild writes nothing; {@link BlindIndexRebuildReport#remaining()} counts the rows whose source could not be
 * opened, whose next index the run could therefore not check.
 */
public final class BlindIndexRebuild {

    private static final Logger LOG = LoggerFactory.getLogger(BlindIndexRebuild.class);

    private final FieldCryptRuntime runtime;
    private final FieldEncryptor encryptor;
    private final ReEncryptOptions options;
    private final Checkpoints checkpoints;
    private final JobPace pace;
    private long scanned;
    private long written;
    private long unreadable;

    private final List<FieldCryptRuntime.RotatingIndex> indexes;

    /**
     * @param indexes the index columns to fill: the next index of each rotation, or the indexes over attributes
     *     being migrated from plaintext
     */
    public BlindIndexRebuild(
            FieldCryptRuntime runtime, List<FieldCryptRuntime.RotatingIndex> indexes, ReEncryptOptions options) {
        this.runtime = runtime;
        this.indexes = List.copyOf(indexes);
        this.encryptor = runtime.encryptor();
        this.options = options;
        this.checkpoints = runtime.checkpoints();
        this.pace = new JobPace(options.maxRowsPerSecond(), "blind index rebuild");
    }

    /** @return what the run did and what remains */
    public BlindIndexRebuildReport run() {
        for (FieldCryptRuntime.RotatingIndex index : indexes) {
            rebuild(index);
        }
        BlindIndexRebuildReport report =
                new BlindIndexRebuildReport(scanned, written, unreadable, unreadable, pace.elapsed());
        LOG.info("blind index rebuild {}: {}", options.jobName(), report);
        return report;
    }

    private void rebuild(FieldCryptRuntime.RotatingIndex index) {
        EncryptedTable table = index.table();
        List<String> keyTypes = table.keyTypes(runtime.connections());
        String checkpoint = table.sqlName() + "." + index.nextColumn();
        KeysetBatches.run(
                runtime,
                options,
                pace,
                table,
                checkpoint,
                "rebuild blind index " + index.label() + " in " + table.sqlName(),
                (connection, cursor) -> batch(connection, index, keyTypes, cursor, checkpoint),
                () -> new ReEncryptProgress(table.sqlName(), scanned, written, pace.elapsed()),
                () -> scanned);
    }

    /** Processes one batch after {@code cursor}; returns the batch's last key, or null if there was no row. */
    private String[] batch(
            Connection connection,
            FieldCryptRuntime.RotatingIndex index,
            List<String> keyTypes,
            String[] cursor,
            String checkpoint)
            throws SQLException {
        EncryptedTable table = index.table();
        String keys = String.join(", ", table.keyColumns());
        LegacyColumn legacy = index.legacyPlaintext() ? index.source().legacy() : null;
        String select = "select " + keys + ", " + index.source().sqlName() + ", " + index.nextColumn()
                + (legacy == null ? "" : ", " + legacy.textSql()) + " from " + table.sqlName()
                + (cursor == null ? "" : " where (" + keys + ") > (" + EncryptedTable.casts(keyTypes) + ")")
                + " order by " + keys + " limit ? for no key update";
        String update = "update " + table.sqlName() + " set " + index.nextColumn() + " = ? where (" + keys + ") = ("
                + EncryptedTable.casts(keyTypes) + ")";
        int keyCount = table.keyColumns().size();
        String[] last = null;
        try (PreparedStatement read = connection.prepareStatement(select);
                PreparedStatement write = connection.prepareStatement(update)) {
            read.setInt(EncryptedTable.bindCursor(read, cursor), options.batchSize());
            int pending = 0;
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    scanned++;
                    last = table.keyText(rs);
                    Object stored = index.source().text() ? rs.getString(keyCount + 1) : rs.getBytes(keyCount + 1);
                    byte[] current = rs.getBytes(keyCount + 2);
                    byte[] wanted;
                    try {
                        String legacyText = legacy == null ? null : rs.getString(keyCount + 3);
                        wanted = stored != null
                                ? hash(index, table, rs, stored)
                                : legacyText == null
                                        ? null
                                        : index.next().hash(legacy.parse(legacyText), index.label());
                    } catch (DecryptionException | KeyProviderException | IllegalArgumentException e) {
                        if (e instanceof KeyProviderException k && k.reason().retryable()) {
                            throw k;
                        }
                        unreadable++;
                        LOG.warn(
                                "blind index {}: a source value of {} cannot be opened ({}); its next index is left"
                                        + " as it is",
                                index.label(),
                                table.sqlName(),
                                e.getClass().getSimpleName());
                        continue;
                    }
                    if (!Arrays.equals(current, wanted)) {
                        write.setBytes(1, wanted);
                        for (int i = 0; i < keyCount; i++) {
                            write.setString(i + 2, last[i]);
                        }
                        write.addBatch();
                        pending++;
                    }
                }
            }
            if (pending > 0) {
                written += write.executeBatch().length;
            }
        }
        if (last != null) {
            checkpoints.save(connection, options.jobName(), checkpoint, last);
        }
        return last;
    }

    private byte[] hash(FieldCryptRuntime.RotatingIndex index, EncryptedTable table, ResultSet rs, Object stored)
            throws SQLException {
        if (index.source().text()
                && index.source().legacy() == null
                && stored instanceof String legacy
                && !legacy.startsWith(io.fieldcrypt.Envelope.TEXT_PREFIX)
                && index.legacyPlaintext()) {
            // A legacy plaintext value of an attribute being migrated: its index is computed from it as it is.
            return index.next().hash(legacy, index.label());
        }
        String rowId = runtime.canonicalId(table.idEntity()).ofKeyColumns(rs, 1);
        FieldContext context = FieldContext.of(
                table.aadEntity(), table.aadTable(), index.source().aadColumn(), rowId);
        byte[] plaintext = encryptor.open(
                index.source().scopes(), context, SealedValue.read(stored).envelope());
        Object value = null;
        try {
            value = index.next().codec().decode(plaintext);
            return index.next().hash(value, index.label());
        } finally {
            if (value != plaintext) {
                Arrays.fill(plaintext, (byte) 0);
            }
        }
    }
}
