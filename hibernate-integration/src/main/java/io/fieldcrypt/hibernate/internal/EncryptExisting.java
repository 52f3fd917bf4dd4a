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
 * Seals the legacy plaintext values of every attribute listed in {@code fieldcrypt.migration.read-plaintext}: in key
 * order, in batches of one transaction each, with a checkpoint per batch. Each row is locked
 * ({@code FOR NO KEY UPDATE}) when it is read and rewritten only if it still holds its legacy value, so a concurrent
 * application write (which seals the value itself) is never overwritten; the row's version is not touched; its blind
 * indexes are written in the same statement. A stopped run resumes after its last committed batch, and a rerun finds
 * only what is still plaintext.
 *
 * <ul>
 *   <li>In place (a text column): a value without the envelope marker is sealed into the same column, by
 *       compare-and-set on the marker, so that the statement carries no plaintext.</li>
 *   <li>From a legacy column ({@code @Encrypted(migrateFrom)}): where the own column is NULL, the legacy value is
 *       sealed into it and the legacy column set to NULL in the same statement; where the application already wrote
 *       the own column, the legacy value is only set to NULL (counted as skipped).</li>
 * </ul>
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
            if (column.column().legacy() != null) {
                preflightFromLegacy(column);
                continue;
            }
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
                int width = width(c, table, source);
                if (width == 0) {
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

    /**
     * Reads every legacy value still to seal, as the job will: each must be a value of the attribute's type, and fit
     * the attribute's column once sealed.
     */
    private void preflightFromLegacy(FieldCryptRuntime.MigratingColumn column) {
        EncryptedTable table = column.table();
        LegacyColumn legacy = column.column().legacy();
        String own = column.column().sqlName();
        long[] unreadableAndTooLong =
                Jdbc.inTransaction(runtime.connections(), "preflight " + column.label() + " in", c -> {
                    int width = column.column().text() ? width(c, table, own) : 0;
                    long unreadable = 0;
                    long tooLong = 0;
                    try (var st = c.prepareStatement("select " + legacy.textSql() + " from " + table.sqlName()
                            + " where " + legacy.sqlName() + " is not null and " + own + " is null")) {
                        st.setFetchSize(1000);
                        try (var rs = st.executeQuery()) {
                            while (rs.next()) {
                                Object value;
                                try {
                                    value = legacy.parse(rs.getString(1));
                                } catch (IllegalArgumentException e) {
                                    unreadable++;
                                    continue;
                                }
                                byte[] bytes = column.codec().encode(value);
                                if (width > 0 && sealedTextLength(bytes.length) > width) {
                                    tooLong++;
                                }
                                Arrays.fill(bytes, (byte) 0);
                            }
                        }
                    }
                    return new long[] {unreadable, tooLong};
                });
        if (unreadableAndTooLong[0] > 0) {
            throw new io.fieldcrypt.ConfigurationException("cannot encrypt " + column.label() + ": "
                    + unreadableAndTooLong[0] + " value(s) of " + table.sqlName() + "." + legacy.sqlName()
                    + " are no " + legacy.javaType().getSimpleName() + " (an infinite date or timestamp, NaN, a number"
                    + " out of range or with a fraction, an unknown enum constant), so they could not be read back."
                    + " Change them, or set them to NULL, before the migration");
        }
        if (unreadableAndTooLong[1] > 0) {
            throw new io.fieldcrypt.ConfigurationException("cannot encrypt " + column.label() + ": "
                    + unreadableAndTooLong[1] + " value(s) of " + table.sqlName() + "." + legacy.sqlName()
                    + " would not fit " + own + " once sealed (a text envelope is 4 characters plus the base64 of"
                    + " the value's bytes and " + Envelope.OVERHEAD_BYTES + " more). Widen it first; in PostgreSQL"
                    + " this is metadata-only: alter table " + table.sqlName() + " alter column " + own + " type text");
        }
    }

    /** @return the declared length of a {@code varchar(n)} column, or 0 if it has none */
    private static int width(Connection c, EncryptedTable table, String column) throws SQLException {
        try (var st = c.prepareStatement("select " + column + " from " + table.sqlName() + " where false");
                var rs = st.executeQuery()) {
            int width = rs.getMetaData().getPrecision(1);
            return width <= 0 || width >= Integer.MAX_VALUE / 2 ? 0 : width;
        }
    }

    /** @return the length of the text envelope of a plaintext of {@code bytes} bytes */
    private static long sealedTextLength(int bytes) {
        return Envelope.TEXT_PREFIX.length() + (long) Math.ceil((Envelope.OVERHEAD_BYTES + bytes) * 4.0 / 3);
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
                (connection, cursor) -> column.column().legacy() == null
                        ? batch(connection, column, keyTypes, cursor, checkpoint)
                        : batchFromLegacy(connection, column, keyTypes, cursor, checkpoint),
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
        String select = "select " + keys + ", " + source + " from " + table.sqlName() + " where "
                + column.column().plaintextLeftSql()
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
                    int q = 1;
                    write.setObject(q++, seal(column, rowId, bytes));
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
                for (int count : execute(write, column)) {
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

    /**
     * One batch from a legacy column: rows whose legacy column holds a value, locked; where the own column is NULL
     * the value is sealed into it, elsewhere (the application wrote it) the legacy value is only cleared.
     */
    private String[] batchFromLegacy(
            Connection connection,
            FieldCryptRuntime.MigratingColumn column,
            List<String> keyTypes,
            String[] cursor,
            String checkpoint)
            throws SQLException {
        EncryptedTable table = column.table();
        LegacyColumn legacy = column.column().legacy();
        String keys = String.join(", ", table.keyColumns());
        String own = column.column().sqlName();
        String byKey = " where (" + keys + ") = (" + EncryptedTable.casts(keyTypes) + ")";
        String select = "select " + keys + ", " + own + ", " + legacy.textSql() + " from " + table.sqlName()
                + " where " + legacy.sqlName() + " is not null"
                + (cursor == null ? "" : " and (" + keys + ") > (" + EncryptedTable.casts(keyTypes) + ")")
                + " order by " + keys + " limit ? for no key update";
        StringBuilder set =
                new StringBuilder(own).append(" = ?, ").append(legacy.sqlName()).append(" = null");
        column.indexes()
                .keySet()
                .forEach(index -> set.append(", ").append(index).append(" = ?"));
        String seal = "update " + table.sqlName() + " set " + set + byKey + " and " + own + " is null";
        String clear = "update " + table.sqlName() + " set " + legacy.sqlName() + " = null" + byKey;
        int keyCount = table.keyColumns().size();
        String[] last = null;
        try (PreparedStatement read = connection.prepareStatement(select);
                PreparedStatement sealing = connection.prepareStatement(seal);
                PreparedStatement clearing = connection.prepareStatement(clear)) {
            read.setInt(EncryptedTable.bindCursor(read, cursor), options.batchSize());
            int toSeal = 0;
            int toClear = 0;
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    scanned++;
                    last = table.keyText(rs);
                    String rowId = runtime.canonicalId(table.idEntity()).ofKeyColumns(rs, 1);
                    Object written = column.column().text() ? rs.getString(keyCount + 1) : rs.getBytes(keyCount + 1);
                    if (written != null) {
                        if (!opens(column, rowId, written)) {
                            LOG.warn(
                                    "{} of row {}: its own column holds a value that does not open, so its value in"
                                            + " the column it migrates from is left; check the row",
                                    column.label(),
                                    EntityCrypto.printable(rowId));
                            continue;
                        }
                        for (int i = 0; i < keyCount; i++) {
                            clearing.setString(i + 1, last[i]);
                        }
                        clearing.addBatch();
                        toClear++;
                        continue;
                    }
                    Object value;
                    try {
                        value = legacy.parse(rs.getString(keyCount + 2));
                    } catch (IllegalArgumentException e) {
                        throw new io.fieldcrypt.FieldCryptException("cannot encrypt " + column.label() + " of row "
                                + EntityCrypto.printable(rowId) + ": its value in " + table.sqlName() + "."
                                + legacy.sqlName() + " is " + e.getMessage() + "; preflightEncryptExisting() counts"
                                + " such values");
                    }
                    int q = 2;
                    // The index values first: sealing wipes the plaintext's bytes, which for a byte[] are the value.
                    for (IndexConverter.Hasher index : column.indexes().values()) {
                        sealing.setBytes(q++, index.hash(value, column.label()));
                    }
                    sealing.setObject(1, seal(column, rowId, column.codec().encode(value)));
                    for (String part : last) {
                        sealing.setString(q++, part);
                    }
                    sealing.addBatch();
                    toSeal++;
                }
            }
            if (toSeal > 0) {
                for (int count : execute(sealing, column)) {
                    if (count == 1) {
                        encrypted++;
                    } else {
                        skipped++;
                    }
                }
            }
            if (toClear > 0) {
                skipped += execute(clearing, column).length;
            }
        }
        if (last != null) {
            checkpoints.save(connection, options.jobName(), checkpoint, last);
        }
        return last;
    }

    /**
     * @return whether {@code stored}, the own column's value, opens for the row: only then is it the application's
     *     value, which makes the legacy one obsolete
     */
    private boolean opens(FieldCryptRuntime.MigratingColumn column, String rowId, Object stored) {
        EncryptedTable table = column.table();
        try {
            byte[] plaintext = encryptor.open(
                    column.column().scopes(),
                    FieldContext.of(
                            table.aadEntity(), table.aadTable(), column.column().aadColumn(), rowId),
                    SealedValue.read(stored).envelope());
            Arrays.fill(plaintext, (byte) 0);
            return true;
        } catch (io.fieldcrypt.DecryptionException e) {
            return false;
        }
    }

    /** @return the envelope of {@code bytes} (wiped) for the row, in the column's form: text or binary */
    private Object seal(FieldCryptRuntime.MigratingColumn column, String rowId, byte[] bytes) {
        EncryptedTable table = column.table();
        try {
            byte[] envelope = encryptor.seal(
                    column.column().scope(),
                    FieldContext.of(
                            table.aadEntity(), table.aadTable(), column.column().aadColumn(), rowId),
                    bytes);
            return column.column().text() ? Envelope.toText(envelope) : envelope;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static int[] execute(PreparedStatement batch, FieldCryptRuntime.MigratingColumn column)
            throws SQLException {
        try {
            return batch.executeBatch();
        } catch (SQLException e) {
            // The driver's message may quote the statement's values; none is plaintext, but keep the message to the
            // SQL state, as the other jobs' callers expect.
            throw new SQLException(
                    "sealing a batch of " + column.label() + " failed (SQL state " + e.getSQLState() + ")",
                    e.getSQLState());
        }
    }
}
