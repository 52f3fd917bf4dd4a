package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.hibernate.ReEncryptOptions;
import io.fieldcrypt.hibernate.ReEncryptProgress;
import io.fieldcrypt.hibernate.ReEncryptReport;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.StoredDataKey;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the re-encryption job: rewrites every value that should move with the current data key of its
 * column's scope, table by table, without changing any plaintext or version. A value should move when its data key
 * is retired, when its data key belongs to a previous scope of its column, or when it is a version 1 envelope
 * (sealed without its table in the associated data).
 *
 * <ul>
 *   <li>Only rows holding a value that should move are read (the key id and version are read from the envelope
 *       header in SQL), in key order (keyset pagination), in batches of one transaction each.</li>
 *   <li>Rows are read {@code FOR UPDATE SKIP LOCKED}: the application and other runs never wait long for the job,
 *       and two runs at once never process the same row. The row locks last until the batch commits, so no
 *       application write can come between reading a value and rewriting it: the updates name the row by its key
 *       alone (no comparison of old values), and go to the database as JDBC batches.</li>
 *   <li>After each batch, in the same transaction, the last key is saved as the job's checkpoint for the table: a
 *       run that stopped (an exception, a killed JVM) resumes after it. A table finished removes its checkpoint.</li>
 *   <li>Only one batch of rows is in memory at a time.</li>
 * </ul>
 */
public final class ReEncryption {

    private static final Logger LOG = LoggerFactory.getLogger(ReEncryption.class);

    private final FieldCryptRuntime runtime;
    private final FieldEncryptor encryptor;
    private final List<StoredDataKey> keys;
    private final ReEncryptOptions options;
    private final Checkpoints checkpoints;
    private final JobPace pace;
    private long scanned;
    private long reEncrypted;
    private long skippedChanged;
    private long unreadable;

    /**
     * @param runtime the factory's runtime
     * @param keys every data key of the scopes the factory maps
     * @param options how to run
     */
    public ReEncryption(FieldCryptRuntime runtime, List<StoredDataKey> keys, ReEncryptOptions options) {
        this.runtime = runtime;
        this.encryptor = runtime.encryptor();
        this.keys = List.copyOf(keys);
        this.options = options;
        this.checkpoints = runtime.checkpoints();
        this.pace = new JobPace(options.maxRowsPerSecond(), "re-encryption");
    }

    /**
     * The data keys whose values in {@code column} should move: retired keys of its scopes, and every key of a
     * previous scope.
     */
    static Set<Long> keysToMove(EncryptedTable.Column column, List<StoredDataKey> keys) {
        Set<Long> moving = new HashSet<>();
        for (StoredDataKey key : keys) {
            if (column.scopes().contains(key.scope())
                    && (key.state() == DataKeyState.RETIRED || !key.scope().equals(column.scope()))) {
                moving.add(key.id());
            }
        }
        return moving;
    }

    /**
     * @param runtime a factory's runtime
     * @return per encrypted attribute ({@code Entity.attribute}), how many stored values a run would move
     */
    public static Map<String, Long> pending(FieldCryptRuntime runtime) {
        List<StoredDataKey> keys = runtime.encryptor().dataKeys().keys(runtime.scopes());
        Map<String, Long> toMove = new TreeMap<>();
        for (EncryptedTable table : runtime.tables()) {
            for (EncryptedTable.Column column : table.columns()) {
                toMove.put(
                        column.label(),
                        Jdbc.inTransaction(
                                runtime.connections(),
                                "count the values of " + column.label(),
                                connection -> countToMove(connection, table, column, keysToMove(column, keys))));
            }
        }
        return toMove;
    }

    /** How many values of {@code column} the re-encryption job would move. */
    private static long countToMove(
            Connection connection, EncryptedTable table, EncryptedTable.Column column, Collection<Long> keys)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(table.countToMoveSql(column))) {
            select.setArray(1, connection.createArrayOf("bigint", keys.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** @return what the run did and what remains */
    public ReEncryptReport run() {
        long remaining = 0;
        // New values must go under fresh keys: this process's current keys may have been retired elsewhere.
        encryptor.discardEncryptionKeys();
        Map<EncryptedTable, Map<EncryptedTable.Column, Set<Long>>> moving = new HashMap<>();
        for (EncryptedTable table : runtime.tables()) {
            moving.put(table, keysToMove(table));
            reEncrypt(table, moving.get(table));
        }
        for (EncryptedTable table : runtime.tables()) {
            remaining += remaining(table, moving.get(table));
        }
        runtime.evictSecondLevelCache();
        ReEncryptReport report =
                new ReEncryptReport(scanned, reEncrypted, skippedChanged, unreadable, remaining, pace.elapsed());
        LOG.info("re-encryption {}: {}", options.jobName(), report);
        return report;
    }

    /** Each encrypted column of {@code table} with the data keys whose values in it should move. */
    private Map<EncryptedTable.Column, Set<Long>> keysToMove(EncryptedTable table) {
        Map<EncryptedTable.Column, Set<Long>> moving = new HashMap<>();
        for (EncryptedTable.Column column : table.columns()) {
            moving.put(column, keysToMove(column, keys));
        }
        return moving;
    }

    private void reEncrypt(EncryptedTable table, Map<EncryptedTable.Column, Set<Long>> moving) {
        List<String> keyTypes = table.keyTypes(runtime.connections());
        List<EncryptedTable.Column> columns = table.columns();
        FieldContext.Column[] contexts = new FieldContext.Column[columns.size()];
        for (int c = 0; c < contexts.length; c++) {
            contexts[c] = FieldContext.column(
                    table.aadEntity(), table.aadTable(), columns.get(c).aadColumn());
        }
        KeysetBatches.run(
                runtime,
                options,
                pace,
                table,
                table.sqlName(),
                "re-encrypt table " + table.sqlName(),
                (connection, cursor) -> batch(connection, table, contexts, moving, keyTypes, cursor),
                () -> new ReEncryptProgress(table.sqlName(), scanned, reEncrypted, pace.elapsed()),
                () -> scanned);
    }

    /** Processes one batch after {@code cursor}; returns the batch's last key, or null if there was no row. */
    private String[] batch(
            Connection connection,
            EncryptedTable table,
            FieldContext.Column[] contexts,
            Map<EncryptedTable.Column, Set<Long>> moving,
            List<String> keyTypes,
            String[] cursor)
            throws SQLException {
        try (Statement settings = connection.createStatement()) {
            // The planner cannot estimate how many rows the header predicate keeps, guesses few, and then prefers to
            // find and sort every remaining row of the table over walking the key index in order until the batch is
            // full: each batch evaluates the predicate on the rest of the table, quadratic over the run. Seen on
            // 100,000 freshly written rows (ReEncryptHarness's first run): 3.1 s in the batch queries with a bitmap
            // scan and a sort, 0.5 s walking the index. Only for this batch's transaction.
            settings.execute("set local enable_sort = off");
        }
        List<Row> rows = select(connection, table, contexts, moving, keyTypes, cursor);
        if (rows.isEmpty()) {
            return null;
        }
        scanned += rows.size();
        // One JDBC batch per distinct statement (rows differ in which columns need rewriting).
        Map<String, PreparedStatement> statements = new LinkedHashMap<>();
        try {
            for (Row row : rows) {
                if (row.changed()) {
                    String sql = table.updateSql(keyTypes, row.rewritten());
                    PreparedStatement update = statements.get(sql);
                    if (update == null) {
                        update = connection.prepareStatement(sql);
                        statements.put(sql, update);
                    }
                    bind(update, table, row);
                    update.addBatch();
                }
            }
            for (PreparedStatement update : statements.values()) {
                for (int count : update.executeBatch()) {
                    if (count == 1) {
                        reEncrypted++;
                    } else {
                        skippedChanged++;
                    }
                }
            }
        } finally {
            for (PreparedStatement update : statements.values()) {
                update.close();
            }
        }
        String[] last = rows.get(rows.size() - 1).keyText;
        checkpoints.save(connection, options.jobName(), table.sqlName(), last);
        return last;
    }

    /** A row read for re-encryption: its key, and per encrypted column the new stored value (null: unchanged). */
    private record Row(String[] keyText, Object[] newValues) {
        boolean changed() {
            for (Object value : newValues) {
                if (value != null) {
                    return true;
                }
            }
            return false;
        }

        /** Which encrypted columns this row rewrites. */
        boolean[] rewritten() {
            boolean[] rewritten = new boolean[newValues.length];
            for (int c = 0; c < newValues.length; c++) {
                rewritten[c] = newValues[c] != null;
            }
            return rewritten;
        }
    }

    private List<Row> select(
            Connection connection,
            EncryptedTable table,
            FieldContext.Column[] contexts,
            Map<EncryptedTable.Column, Set<Long>> moving,
            List<String> keyTypes,
            String[] cursor)
            throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(table.selectToMoveSql(keyTypes, cursor != null))) {
            int p = bindKeysToMove(select, EncryptedTable.bindCursor(select, cursor), table, moving);
            select.setInt(p, options.batchSize());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.add(reseal(table, contexts, moving, rs));
                }
            }
        }
        return rows;
    }

    /** @param contexts the contexts of the table's encrypted columns, in column order, for any row */
    private Row reseal(
            EncryptedTable table,
            FieldContext.Column[] contexts,
            Map<EncryptedTable.Column, Set<Long>> moving,
            ResultSet rs)
            throws SQLException {
        int keyCount = table.keyColumns().size();
        String[] keyText = table.keyText(rs);
        String canonicalId = runtime.canonicalId(table.idEntity()).ofKeyColumns(rs, 1);
        List<EncryptedTable.Column> columns = table.columns();
        Object[] newValues = new Object[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            EncryptedTable.Column column = columns.get(c);
            Object stored = column.text() ? rs.getString(keyCount + c + 1) : rs.getBytes(keyCount + c + 1);
            newValues[c] = stored == null
                    ? null
                    : reseal(table, column, contexts[c].row(canonicalId), moving.get(column), stored);
        }
        return new Row(keyText, newValues);
    }

    /** The value sealed under the current key, or null if it need not move or cannot be opened. */
    private Object reseal(
            EncryptedTable table, EncryptedTable.Column column, FieldContext context, Set<Long> moving, Object stored) {
        String canonicalId = context.id();
        byte[] plaintext = null;
        try {
            byte[] envelope = SealedValue.read(stored).envelope();
            Envelope parsed = Envelope.parse(envelope);
            if (!moving.contains(parsed.dataKeyId()) && parsed.version() == Envelope.CURRENT_VERSION) {
                return null;
            }
            plaintext = encryptor.open(column.scopes(), context, envelope);
            byte[] sealed = encryptor.seal(column.scope(), context, plaintext);
            return column.text() ? Envelope.toText(sealed) : sealed;
        } catch (DecryptionException e) {
            return unreadable(table, column, canonicalId, e);
        } catch (KeyProviderException e) {
            if (e.reason().retryable()) {
                throw e;
            }
            // A refusal about this value's key (disabled, denied, not made under the master key its row names) must
            // not stop the whole job: one planted value would otherwise block re-encryption, and so destroy, forever.
            return unreadable(table, column, canonicalId, e);
        } finally {
            if (plaintext != null) {
                Arrays.fill(plaintext, (byte) 0);
            }
        }
    }

    private Object unreadable(
            EncryptedTable table, EncryptedTable.Column column, String canonicalId, RuntimeException e) {
        unreadable++;
        LOG.warn(
                "re-encryption {}: {} of {}#{} cannot be opened and is left as it is: {}",
                options.jobName(),
                column.label(),
                table.aadEntity(),
                canonicalId,
                e.getMessage());
        return null;
    }

    /** Binds new values, then the key, in the order of {@link EncryptedTable#updateSql}. */
    private static void bind(PreparedStatement update, EncryptedTable table, Row row) throws SQLException {
        int columns = table.columns().size();
        int p = 1;
        for (int c = 0; c < columns; c++) {
            if (row.newValues[c] != null) {
                update.setObject(p++, row.newValues[c]);
            }
        }
        for (String value : row.keyText) {
            update.setString(p++, value);
        }
    }

    /**
     * Binds each encrypted column's keys to move, for {@link EncryptedTable#anyColumnToMoveSql()}.
     *
     * @return the next parameter index
     */
    private static int bindKeysToMove(
            PreparedStatement statement, int first, EncryptedTable table, Map<EncryptedTable.Column, Set<Long>> moving)
            throws SQLException {
        int p = first;
        for (EncryptedTable.Column column : table.columns()) {
            Array keys = statement
                    .getConnection()
                    .createArrayOf("bigint", moving.get(column).toArray());
            statement.setArray(p++, keys);
        }
        return p;
    }

    private long remaining(EncryptedTable table, Map<EncryptedTable.Column, Set<Long>> moving) {
        return Jdbc.inTransaction(runtime.connections(), "count what remains in " + table.sqlName(), connection -> {
            try (PreparedStatement count = connection.prepareStatement(table.countToMoveSql())) {
                bindKeysToMove(count, 1, table, moving);
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
