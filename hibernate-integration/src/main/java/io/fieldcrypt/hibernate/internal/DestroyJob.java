package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.DataKeyAdmin;
import io.fieldcrypt.hibernate.DestroyReport;
import io.fieldcrypt.hibernate.RetiredKeysInUseException;
import io.fieldcrypt.spi.StoredDataKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Destroys the retired data keys of the scopes a session factory maps, after checking, in the deleting transaction
 * (see {@link io.fieldcrypt.spi.DeletionGuard}), that nothing can still need them: no instance may still encrypt with
 * them, no transaction that may commit a value under them is open, and no stored value uses them.
 */
public final class DestroyJob {

    /**
     * Added to a key's last possible use when looking for transactions that may still commit a value under it: the
     * PostgreSQL driver begins a transaction with its first statement, which may reach the server a little after
     * the value was sealed.
     */
    static final Duration IN_FLIGHT_GRACE = Duration.ofMinutes(1);

    private final FieldCryptRuntime runtime;
    private final DataKeyAdmin dataKeys;

    /**
     * @param runtime the runtime of the factory whose keys to destroy
     */
    public DestroyJob(FieldCryptRuntime runtime) {
        this.runtime = runtime;
        this.dataKeys = runtime.encryptor().dataKeys();
    }

    /**
     * Destroys the retired data keys of the scopes this factory maps, after checking, in the deleting transaction,
     * that no instance may still encrypt with them, that no transaction that may still commit a value under them is
     * open, and that no stored value uses them.
     *
     * @param minimumRetiredAge {@code null} to wait until each key's recorded expiry (the maximum age of the instance
     *     that made it) or, for keys made before expiries were recorded, its retirement plus this factory's maximum
     *     age; or how long ago (database time) each key must have been retired, replacing those bounds: shorter
     *     than every instance's maximum age is safe only when no other instance runs
     * @param unmappedScopesToIgnore scopes the factory does not map whose retired keys the caller knows about; they
     *     are never destroyed, but no longer stop the destruction of this factory's keys
     * @return the keys destroyed
     */
    public DestroyReport run(Duration minimumRetiredAge, Set<String> unmappedScopesToIgnore) {
        Set<String> scopes = runtime.scopes();
        // A scope key counts under the data key scope it serves, so naming that scope covers both.
        Map<String, Long> unmapped = new TreeMap<>();
        dataKeys.retiredKeyCountsByScope()
                .forEach((scope, count) -> unmapped.merge(DataKeyAdmin.servedScope(scope), count, Long::sum));
        unmapped.keySet().removeIf(scope -> scopes.contains(scope) || unmappedScopesToIgnore.contains(scope));
        if (!unmapped.isEmpty()) {
            throw new RetiredKeysInUseException("cannot destroy retired data keys: the data key table "
                    + runtime.settings().table() + " also holds retired keys of scopes this factory does not map "
                    + unmapped + ". They may belong to another application or persistence unit sharing the table,"
                    + " to an attribute removed from the model whose column still holds values, or to values copied"
                    + " elsewhere; fieldcrypt never destroys them. If you know why they are there, name those scopes"
                    + " in destroyRetiredDataKeys(minimumRetiredAge, unmappedScopesToIgnore) to destroy this"
                    + " factory's own retired keys");
        }
        List<Long> destroyed = dataKeys.destroy(scopes, (connection, keys, now) -> {
            Instant usableUntil = usableUntil(keys, minimumRetiredAge);
            if (usableUntil.isAfter(now)) {
                throw new RetiredKeysInUseException("cannot destroy retired data keys yet: an instance may still"
                        + " encrypt new values with one of keys "
                        + keys.stream().map(StoredDataKey::id).toList()
                        + " until " + usableUntil + " (database time: "
                        + (minimumRetiredAge == null
                                ? "the expiry recorded when the key was made, from that instance's fieldcrypt.data-key.max-age"
                                : "its retirement plus " + minimumRetiredAge)
                        + "). After that, run reEncrypt() until it"
                        + " reports 0 remaining, then destroy");
            }
            checkNoTransactionInFlight(connection, usableUntil.plus(IN_FLIGHT_GRACE));
            checkUnused(connection, keys);
        });
        if (!destroyed.isEmpty()) {
            runtime.evictSecondLevelCache();
        }
        return new DestroyReport(destroyed);
    }

    /** The last moment, by the database's clock, an instance may seal a value under one of {@code keys}. */
    private Instant usableUntil(List<StoredDataKey> keys, Duration minimumRetiredAge) {
        Instant last = Instant.MIN;
        for (StoredDataKey key : keys) {
            Instant end;
            if (minimumRetiredAge != null) {
                end = key.retiredAt().plus(minimumRetiredAge);
            } else {
                end = key.expiresAt() != null
                        ? key.expiresAt()
                        : key.retiredAt().plus(runtime.maxAge());
            }
            last = end.isAfter(last) ? end : last;
        }
        return last;
    }

    /**
     * Refuses while a transaction is open that began before {@code lastUse}: it may hold a value sealed under one of
     * the keys, invisible to the usage scan until it commits. Prepared (two-phase) transactions have left
     * pg_stat_activity but may still commit, so any of them refuses too.
     */
    private static void checkNoTransactionInFlight(Connection connection, Instant lastUse) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                        "select count(*) from pg_prepared_xacts" + " where database = current_database()");
                ResultSet rs = select.executeQuery()) {
            rs.next();
            if (rs.getLong(1) > 0) {
                throw new RetiredKeysInUseException("cannot destroy retired data keys: " + rs.getLong(1)
                        + " prepared (two-phase) transaction(s) of this database may still commit values under the"
                        + " keys (see pg_prepared_xacts). Retry once they are committed or rolled back");
            }
        }
        // Sessions of other roles are listed without their details (backend type, state, transaction start) unless
        // the role may read all statistics: they are counted as hidden, never as harmless.
        try (PreparedStatement select = connection.prepareStatement("select count(*) filter (where backend_type is"
                + " null), count(*) filter (where backend_type = 'client backend' and xact_start < ?),"
                + " min(xact_start) filter (where backend_type = 'client backend') from pg_stat_activity"
                + " where datname = current_database() and pid <> pg_backend_pid()")) {
            select.setTimestamp(1, Timestamp.from(lastUse));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                long hidden = rs.getLong(1);
                long inFlight = rs.getLong(2);
                if (hidden > 0) {
                    throw new RetiredKeysInUseException("cannot destroy retired data keys: " + hidden + " other"
                            + " sessions of this database are hidden from pg_stat_activity (insufficient privilege),"
                            + " so transactions that may still commit values under the keys cannot be ruled out."
                            + " Grant pg_read_all_stats to the role that runs destroy, or run it as the"
                            + " application's role");
                }
                if (inFlight > 0) {
                    throw new RetiredKeysInUseException("cannot destroy retired data keys: " + inFlight + " open"
                            + " transaction(s) began before " + lastUse + " (the keys' last possible use plus "
                            + IN_FLIGHT_GRACE + "), the oldest at "
                            + rs.getTimestamp(3).toInstant() + "; they may"
                            + " still commit values under the keys. Retry once they have ended (see"
                            + " pg_stat_activity)");
                }
            }
        }
    }

    private void checkUnused(Connection connection, List<StoredDataKey> keys) throws SQLException {
        List<Long> ids = keys.stream().map(StoredDataKey::id).toList();
        Map<String, Map<Long, Long>> inUse = new LinkedHashMap<>();
        for (EncryptedTable table : runtime.tables()) {
            for (EncryptedTable.Column column : table.columns()) {
                Map<Long, Long> usage = usage(connection, table, column, ids);
                if (!usage.isEmpty()) {
                    inUse.put(column.label(), usage);
                }
            }
        }
        if (!inUse.isEmpty()) {
            long values = inUse.values().stream()
                    .flatMap(m -> m.values().stream())
                    .mapToLong(Long::longValue)
                    .sum();
            String where = inUse.entrySet().stream()
                    .map(e -> e.getKey() + ": "
                            + e.getValue().values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum() + " values (data keys "
                            + new TreeSet<>(e.getValue().keySet()) + ")")
                    .collect(Collectors.joining("; "));
            throw new RetiredKeysInUseException("cannot destroy retired data keys: " + values + " stored values still"
                    + " use them (" + where + "); destroying the keys would make those values unreadable forever."
                    + " Run reEncrypt() until it reports 0 remaining, then destroy");
        }
    }

    /** How many values of {@code column} use each of {@code keys}; only keys in use appear. */
    private static Map<Long, Long> usage(
            Connection connection, EncryptedTable table, EncryptedTable.Column column, Collection<Long> keys)
            throws SQLException {
        String sql = "select " + column.dataKeyIdSql() + " as k, count(*) from " + table.sqlName() + " where "
                + column.dataKeyIdSql() + " = any(?) group by k";
        Map<Long, Long> usage = new TreeMap<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setArray(1, connection.createArrayOf("bigint", keys.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    usage.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        return usage;
    }
}
