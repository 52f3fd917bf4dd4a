package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.hibernate.EncryptExistingReport;
import io.fieldcrypt.hibernate.ReEncryptOptions;
import io.fieldcrypt.hibernate.ReEncryptProgress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals, in place, the legacy plaintext values of every attribute listed in
 * {@code fieldcrypt.migration.read-plaintext}: in key order, in batches of one transaction each, with a checkpoint
 * per batch. Each row is locked ({@code FOR NO KEY UPDATE}) when it is read and rewritten only if it still holds an
 * unmarked value (compare-and-set on the marker, so that the statement carries no plaintext), so a concurrent
 * application write (which seals the value itself) is never overwritten; the row's version is not touched; its blind
 * indexes are written in the same statement. A stopped run resumes after its last committed
 * batch, and a rerun finds only what is still unmarked.
 */
public final class EncryptExisting {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptExisting.class);

    private final FieldCryptRuntime runtime;
    private final FieldEncryptor encryptor;
    private final ReEncryptOptions options;
    private final Checkpoints checkpoints;
    private final JobPace pace;
    private long scanned;
    private long encrypted;
    private long skipped;

    public EncryptExisting(FieldCryptRuntime runtime, ReEncryptOptions options) {
        this.runtime = runtime;
        this.encryptor = runtime.encryptor();
        this.options = options;
        this.checkpoints = runtime.checkpoints();
        this.pace = new JobPace(options.maxRowsPerSecond(), "encrypting existing values");
    }

    /**
     * Checks, before anything is written, that every legacy value can be sealed: none already starts with the
     * envelope marker without being an envelope (it would read as a tampered value), and each fits its column once
     * sealed.
     *
     * @throws io.fieldcrypt.ConfigurationException naming the attribute, the counts and the fix
     */
    public void preflight() {
        for (FieldCryptRuntime.MigratingColumn column : runtime.migratingColumns()) {
            EncryptedTable table = column.table();
            String source = column.column().sqlName();
            // A marked value that is not an envelope of this data key table (malformed, or naming no key row) is a
            // plaintext that looks like one: it would read as a tampered value once the migration ends.
            long collisions = Jdbc.inTransaction(runtime.connections(), "preflight " + column.label() + " in", c -> {
                try (var st = c.prepareStatement("select count(*) from " + table.sqlName() + " where " + source
                                + " like '" + Envelope.TEXT_PREFIX + "%' and not exists (select 1 from "
                                + runtime.settings().table() + " k where k.id = "
                                + EnvelopeSql.dataKeyId(source, true) + ")");
                        var rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            if (collisions > 0) {
                throw new io.fieldcrypt.ConfigurationException("cannot encrypt " + column.label() + ": " + collisions
                        + " value(s) of " + table.sqlName() + "." + source + " start with the envelope"
                        + " marker " + Envelope.TEXT_PREFIX + " without being envelopes, so they would read as"
                        + " tampered values. Change them (for example prefix them) before the migration");
            }
            long tooLong = Jdbc.inTransaction(runtime.connections(), "preflight " + column.label() + " in", c -> {
                int width;
                try (var st = c.prepareStatement("select " + source + " from " + table.sqlName() + " where false");
                        var rs = st.executeQuery()) {
                    width = rs.getMetaData().getPrecision(1);
                }
                if (width <= 0 || width >= Integer.MAX_VALUE / 2) {
                    return 0L;
                }
                try (var st = c.prepareStatement("select count(*) from " + table.sqlName() + " where " + source
                        + " not like '" + Envelope.TEXT_PREFIX + "%' and "
                        + Envelope.TEXT_PREFIX.length() + " + ceil((" + Envelope.OVERHEAD_BYTES
                        + " + octet_length(" + source + ")) * 4.0 / 3) > ?")) {
                    st.setInt(1, width);
                    try (var rs = st.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            if (tooLong > 0) {
                throw new io.fieldcrypt.ConfigurationException("cannot encrypt " + column.label() + ": " + tooLong
                        + " value(s) of " + table.sqlName() + "." + source + " would not fit the column once sealed"
                        + " (a text envelope is 4 characters plus the base64 of the value's bytes and "
                        + Envelope.OVERHEAD_BYTES + " more). Widen it first; in PostgreSQL this is metadata-only: alter"
                        + " table " + table.sqlName() + " alter column " + source + " type text");
            }
        }
    }

    /** @return what the run did and what remains */
    public EncryptExistingReport run() {
        preflight();
        List<FieldCryptRuntime.MigratingColumn> columns = runtime.migratingColumns();
        for (FieldCryptRuntime.MigratingColumn column : columns) {
            encrypt(column);
        }
        runtime.evictSecondLevelCache();
        long remaining = runtime.plaintextValues().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        EncryptExistingReport report =
                new EncryptExistingReport(scanned, encrypted, skipped, remaining, pace.elapsed());
        LOG.info("encrypting existing values {}: {}", options.jobName(), report);
        return report;
    }

    private void encrypt(FieldCryptRuntime.MigratingColumn column) {
        EncryptedTable table = column.table();
        List<String> keyTypes = table.keyTypes(runtime.connections());
        String checkpoint =
                "encrypt-existing:" + table.sqlName() + "." + column.column().sqlName();
        KeysetBatches.run(
                runtime,
                options,
                pace,
                table,
                checkpoint,
                "encrypt existing values of " + column.label() + " in " + table.sqlName(),
                (connection, cursor) -> batch(connection, column, keyTypes, cursor, checkpoint),
                () -> new ReEncryptProgress(table.sqlName(), scanned, encrypted, pace.elapsed()),
                () -> scanned);
    }

    private String[] batch(
            Connection connection,
            FieldCryptRuntime.MigratingColumn column,
            List<String> keyTypes,
            String[] cursor,
            String checkpoint)
            throws SQLException {
        EncryptedTable table = column.table();
        String keys = String.join(", ", table.keyColumns());
        String source = column.column().sqlName();
        String select = "select " + keys + ", " + source + " from " + table.sqlName() + " where " + source
                + " is not null and " + source + " not like '" + Envelope.TEXT_PREFIX + "%'"
                + (cursor == null ? "" : " and (" + keys + ") > (" + EncryptedTable.casts(keyTypes) + ")")
                + " order by " + keys + " limit ? for no key update";
        StringBuilder set = new StringBuilder(source).append(" = ?");
        column.indexes()
                .keySet()
                .forEach(index -> set.append(", ").append(index).append(" = ?"));
        String update = "update " + table.sqlName() + " set " + set + " where (" + keys + ") = ("
                + EncryptedTable.casts(keyTypes) + ") and " + source + " not like '" + Envelope.TEXT_PREFIX + "%'";
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
                    String plaintext = rs.getString(keyCount + 1);
                    String rowId = runtime.canonicalId(table.idEntity()).ofKeyColumns(rs, 1);
                    byte[] bytes = plaintext.getBytes(StandardCharsets.UTF_8);
                    String sealed;
                    try {
                        sealed = Envelope.toText(encryptor.seal(
                                column.column().scope(),
                                FieldContext.of(
                                        table.aadEntity(),
                                        table.aadTable(),
                                        column.column().aadColumn(),
                                        rowId),
                                bytes));
                    } finally {
                        Arrays.fill(bytes, (byte) 0);
                    }
                    int q = 1;
                    write.setString(q++, sealed);
                    for (Map.Entry<String, IndexConverter.Hasher> index :
                            column.indexes().entrySet()) {
                        write.setBytes(q++, index.getValue().hash(plaintext, column.label()));
                    }
                    for (String part : last) {
                        write.setString(q++, part);
                    }
                    write.addBatch();
                    pending++;
                }
            }
            if (pending > 0) {
                int[] counts;
                try {
                    counts = write.executeBatch();
                } catch (SQLException e) {
                    // The driver's message may quote the statement's values; none is plaintext, but keep the message
                    // to the SQL state, as the other jobs' callers expect.
                    throw new SQLException(
                            "sealing a batch of " + column.label() + " failed (SQL state " + e.getSQLState() + ")",
                            e.getSQLState());
                }
                for (int count : counts) {
                    if (count == 1) {
                        encrypted++;
                    } else {
                        skipped++;
                    }
                }
            }
        }
        if (last != null) {
            checkpoints.save(connection, options.jobName(), checkpoint, last);
        }
        return last;
    }
}
