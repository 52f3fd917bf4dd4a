package io.fieldcrypt.internal.store;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DataKeyStoreException;
import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.InactiveScopeKeyException;
import io.fieldcrypt.SchemaMode;
import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.spi.DataKeyCount;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.DeletionGuard;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data key table in PostgreSQL. Every statement runs on a connection of its own, in a transaction of its own, so
 * a new key is committed before anyone can use it, whatever the caller's transaction does later.
 */
public final class PostgresDataKeyStore implements DataKeyStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresDataKeyStore.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final String DDL_RESOURCE = "/io/fieldcrypt/schema/postgresql.sql";
    /** The columns the store needs, with their types as PostgreSQL's {@code format_type} spells them. */
    private static final Map<String, String> COLUMNS = Map.of(
            "id", "bigint",
            "scope", "character varying",
            "master_key_id", "character varying",
            "encrypted_key", "bytea",
            "encryption_context", "jsonb",
            "state", "character varying",
            "created_at", "timestamp with time zone",
            "expires_at", "timestamp with time zone",
            "retired_at", "timestamp with time zone",
            "rewrapped_at", "timestamp with time zone");

    private static final String COLUMN_LIST = "id, scope, master_key_id, encrypted_key, encryption_context::text,"
            + " state, created_at, expires_at, retired_at";
    private static final String SELECT_COLUMNS = "select " + COLUMN_LIST + " from ";

    private final ConnectionSource connections;
    private final String table;
    private final String insertSql;
    private final String findSql;
    private final String pageSql;
    private final String oldestActiveSql;
    private final String oldestActiveUnderSql;
    private final String lockActiveSql;

    private PostgresDataKeyStore(ConnectionSource connections, String table) {
        this.connections = connections;
        this.table = table;
        this.insertSql = "insert into " + table + " (scope, master_key_id, encrypted_key, encryption_context, state,"
                + " created_at, expires_at) values (?, ?, ?, cast(? as jsonb), 'ACTIVE', now(),"
                + " now() + ? * interval '1 microsecond') returning " + COLUMN_LIST;
        this.findSql = SELECT_COLUMNS + table + " where id = ?";
        this.pageSql = SELECT_COLUMNS + table + " where scope = any(?) and id > ? order by id limit ?";
        this.oldestActiveSql = SELECT_COLUMNS + table + " where scope = ? and state = 'ACTIVE' order by id limit 1";
        this.oldestActiveUnderSql = SELECT_COLUMNS + table
                + " where scope = ? and master_key_id = ? and encryption_context = cast(? as jsonb)"
                + " and state = 'ACTIVE' order by id limit 1";
        this.lockActiveSql = "select 1 from " + table + " where id = ? and state = 'ACTIVE' for share";
    }

    /**
     * @param connections where connections come from
     * @param table the table name, optionally schema-qualified
     * @param mode what to do with the table now
     * @return the store, its table created or validated as {@code mode} says
     * @throws ConfigurationException if the name is not a plain identifier or the table fails validation
     * @throws DataKeyStoreException if the database cannot be reached
     */
    public static PostgresDataKeyStore open(ConnectionSource connections, String table, SchemaMode mode) {
        PostgresDataKeyStore store = new PostgresDataKeyStore(connections, checkedName(table));
        switch (mode) {
            case CREATE -> {
                store.create();
                store.validate();
            }
            case VALIDATE -> store.validate();
            case NONE -> {}
        }
        return store;
    }

    /**
     * @param table a table name, optionally schema-qualified
     * @return the DDL that creates it, as shipped in the jar
     */
    public static String ddl(String table) {
        String name = checkedName(table);
        String bare = name.substring(name.indexOf('.') + 1);
        try (InputStream in = PostgresDataKeyStore.class.getResourceAsStream(DDL_RESOURCE)) {
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return template.replace("${table}", name).replace("${index}", bare + "_state_idx");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DDL_RESOURCE, e);
        }
    }

    @Override
    public StoredDataKey insert(
            String scope, WrappedDataKey wrapped, Map<String, String> encryptionContext, Duration usableFor) {
        return inTransaction("store a new data key in", connection -> {
            OptionalLong scopeKey = wrapped.scopeKeyId();
            if (scopeKey.isEmpty() && wrapped.masterKeyId().startsWith(WrappedDataKey.SCOPE_KEY_PREFIX)) {
                throw new IllegalArgumentException("master key id " + wrapped.masterKeyId() + " is not the spelling of"
                        + " a scope key; use WrappedDataKey.underScopeKey");
            }
            if (scopeKey.isPresent()) {
                readCommitted(connection);
                // Held until the commit: the scope key can be neither retired nor deleted before the new row is seen.
                try (PreparedStatement lock = connection.prepareStatement(lockActiveSql)) {
                    lock.setLong(1, scopeKey.getAsLong());
                    try (ResultSet rs = lock.executeQuery()) {
                        if (!rs.next()) {
                            throw new InactiveScopeKeyException(scopeKey.getAsLong(), table);
                        }
                    }
                }
            }
            return insertRow(connection, scope, wrapped, encryptionContext, usableFor);
        });
    }

    @Override
    public StoredDataKey findOrMake(
            String scope, Map<String, String> encryptionContext, Runnable beforeMaking, Supplier<WrappedDataKey> make) {
        return findOrMake(scope, oldestActiveSql, List.of(scope), encryptionContext, beforeMaking, make);
    }

    @Override
    public StoredDataKey findOrMakeUnder(
            String scope, String masterKeyId, Map<String, String> encryptionContext, Supplier<WrappedDataKey> make) {
        return findOrMake(
                scope,
                oldestActiveUnderSql,
                List.of(scope, masterKeyId, Json.write(encryptionContext)),
                encryptionContext,
                () -> {},
                make);
    }

    /** Finds the key {@code select} returns (its parameters {@code keys}), or makes one, serialised on the scope. */
    private StoredDataKey findOrMake(
            String scope,
            String select,
            List<String> keys,
            Map<String, String> encryptionContext,
            Runnable beforeMaking,
            Supplier<WrappedDataKey> make) {
        return inTransaction("find or make a key in", connection -> {
            // The select after the lock must see the key the holder committed meanwhile: a snapshot taken at the
            // transaction's first statement (REPEATABLE READ, SERIALIZABLE) would not.
            readCommitted(connection);
            try (PreparedStatement lock = connection.prepareStatement(
                    "select pg_advisory_xact_lock(hashtext('fieldcrypt:' || cast(cast(? as regclass) as oid) || ':' || ?))")) {
                // Instances starting together wait here for the first, then find its key. The table is named by its
                // OID, so that every spelling of its name (with or without the schema) takes the same lock.
                lock.setString(1, table);
                lock.setString(2, scope);
                lock.execute();
            }
            try (PreparedStatement find = connection.prepareStatement(select)) {
                for (int i = 0; i < keys.size(); i++) {
                    find.setString(i + 1, keys.get(i));
                }
                List<StoredDataKey> rows = rows(find);
                if (!rows.isEmpty()) {
                    return rows.get(0);
                }
            }
            beforeMaking.run();
            return insertRow(connection, scope, make.get(), encryptionContext, Duration.ZERO);
        });
    }

    private StoredDataKey insertRow(
            Connection connection,
            String scope,
            WrappedDataKey wrapped,
            Map<String, String> encryptionContext,
            Duration usableFor)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
            insert.setString(1, scope);
            insert.setString(2, wrapped.masterKeyId());
            insert.setBytes(3, wrapped.encryptedKey());
            insert.setString(4, Json.write(encryptionContext));
            insert.setLong(5, TimeUnit.NANOSECONDS.toMicros(usableFor.toNanos()));
            return rows(insert).get(0);
        }
    }

    private static void readCommitted(Connection connection) throws SQLException {
        try (Statement isolation = connection.createStatement()) {
            isolation.execute("set transaction isolation level read committed");
        }
    }

    @Override
    public Optional<StoredDataKey> find(long id) {
        return inTransaction("read a data key from", connection -> {
            try (PreparedStatement select = connection.prepareStatement(findSql)) {
                select.setLong(1, id);
                List<StoredDataKey> rows = rows(select);
                return rows.isEmpty() ? Optional.<StoredDataKey>empty() : Optional.of(rows.get(0));
            }
        });
    }

    @Override
    public List<StoredDataKey> page(Collection<String> scopes, long afterId, int limit) {
        return inTransaction("read data keys from", connection -> {
            try (PreparedStatement select = connection.prepareStatement(pageSql)) {
                select.setArray(1, connection.createArrayOf("varchar", scopes.toArray()));
                select.setLong(2, afterId);
                select.setInt(3, limit);
                return rows(select);
            }
        });
    }

    @Override
    public Map<String, Long> countRetiredByScope() {
        return inTransaction("count the retired keys of", connection -> {
            try (PreparedStatement select = connection.prepareStatement("select scope, count(*) from " + table
                            + " where state = 'RETIRED' group by scope order by scope");
                    ResultSet rs = select.executeQuery()) {
                Map<String, Long> counts = new TreeMap<>();
                while (rs.next()) {
                    counts.put(printable(rs.getString(1)), rs.getLong(2));
                }
                return counts;
            }
        });
    }

    @Override
    public boolean replaceWrapping(long id, WrappedDataKey expected, WrappedDataKey replacement) {
        return inTransaction("rewrap a data key in", connection -> {
            try (PreparedStatement update = connection.prepareStatement("update " + table + " set master_key_id = ?,"
                    + " encrypted_key = ?, rewrapped_at = now() where id = ? and master_key_id = ?"
                    + " and encrypted_key = ?")) {
                update.setString(1, replacement.masterKeyId());
                update.setBytes(2, replacement.encryptedKey());
                update.setLong(3, id);
                update.setString(4, expected.masterKeyId());
                update.setBytes(5, expected.encryptedKey());
                return update.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<StoredDataKey> retireActive(Collection<String> scopes) {
        return inTransaction("retire the active keys of", connection -> {
            readCommitted(connection);
            List<StoredDataKey> retired = new ArrayList<>();
            // Twice: the first statement waits for inserts that hold a scope key (FOR SHARE) and retires it, but its
            // snapshot predates the keys those inserts committed; the second statement's snapshot sees them.
            for (int pass = 0; pass < 2; pass++) {
                try (PreparedStatement update = connection.prepareStatement("update " + table
                        + " set state = 'RETIRED', retired_at = now() where state = 'ACTIVE' and scope = any(?)"
                        + " returning " + COLUMN_LIST)) {
                    update.setArray(1, connection.createArrayOf("varchar", scopes.toArray()));
                    retired.addAll(rows(update));
                }
            }
            retired.sort(java.util.Comparator.comparingLong(StoredDataKey::id));
            return retired;
        });
    }

    @Override
    public List<Long> deleteRetired(Collection<String> scopes, DeletionGuard guard) {
        return inTransaction("delete retired keys from", connection -> {
            // Each statement must see what committed before it: the search for keys still wrapped under a scope key
            // runs after the lock below, which waits for inserts holding that scope key.
            readCommitted(connection);
            List<StoredDataKey> keys;
            try (PreparedStatement lock = connection.prepareStatement(
                    SELECT_COLUMNS + table + " where state = 'RETIRED' and scope = any(?) order by id for update")) {
                lock.setArray(1, connection.createArrayOf("varchar", scopes.toArray()));
                keys = rows(lock);
            }
            if (keys.isEmpty()) {
                return List.<Long>of();
            }
            Instant now;
            try (PreparedStatement clock = connection.prepareStatement("select now()");
                    ResultSet rs = clock.executeQuery()) {
                rs.next();
                now = rs.getTimestamp(1).toInstant();
            }
            guard.check(connection, List.copyOf(keys), now);
            List<Long> ids =
                    new ArrayList<>(keys.stream().map(StoredDataKey::id).toList());
            ids.removeAll(stillWrappingOthers(connection, ids));
            try (PreparedStatement delete =
                    connection.prepareStatement("delete from " + table + " where state = 'RETIRED' and id = any(?)")) {
                delete.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
                delete.executeUpdate();
            }
            return ids;
        });
    }

    /**
     * The scope keys among {@code ids} that a key not among them is wrapped under. A key inserted under one of them
     * meanwhile cannot be missed: its insert holds a shared lock on the scope key's row, which this transaction has
     * locked for update, so it either committed before that lock (and is seen here) or waits and then fails.
     */
    private Set<Long> stillWrappingOthers(Connection connection, List<Long> ids) throws SQLException {
        Set<Long> referenced = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement("select distinct master_key_id from " + table
                + " where master_key_id like '" + WrappedDataKey.SCOPE_KEY_PREFIX + "%' and not (id = any(?))")) {
            select.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    new WrappedDataKey(rs.getString(1), new byte[1])
                            .scopeKeyId()
                            .ifPresent(referenced::add);
                }
            }
        }
        referenced.retainAll(ids);
        if (!referenced.isEmpty()) {
            LOG.info("kept retired scope keys {}: keys outside this deletion are still wrapped under them", referenced);
        }
        return referenced;
    }

    @Override
    public List<DataKeyCount> countByStateAndMasterKey(Collection<String> scopes) {
        return inTransaction("count the keys of", connection -> {
            try (PreparedStatement select = connection.prepareStatement("select state, master_key_id, count(*) from "
                    + table + " where scope = any(?) group by state, master_key_id order by state, master_key_id")) {
                select.setArray(1, connection.createArrayOf("varchar", scopes.toArray()));
                List<DataKeyCount> counts = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        DataKeyState state = state(rs.getString(1));
                        String masterKeyId = rs.getString(2);
                        if (state == null || !isPrintable(masterKeyId)) {
                            throw new DecryptionException("the data key table " + table + " holds malformed rows"
                                    + " (an unknown state or an unprintable master key id); refusing to count them");
                        }
                        counts.add(new DataKeyCount(state, masterKeyId, rs.getLong(3)));
                    }
                }
                return counts;
            }
        });
    }

    @Override
    public String describe() {
        return table;
    }

    private List<StoredDataKey> rows(PreparedStatement statement) throws SQLException {
        List<StoredDataKey> rows = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                rows.add(row(rs));
            }
        }
        return rows;
    }

    /**
     * Reads one row. Its content is not trusted: a row that does not parse is reported as a
     * {@link DecryptionException} with a fixed description, without the parser's message or cause, which would
     * carry text chosen by whoever wrote the row.
     */
    private StoredDataKey row(ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        String context = rs.getString(5);
        byte[] encryptedKey = rs.getBytes(4);
        String masterKeyId = rs.getString(3);
        String scope = rs.getString(2);
        DataKeyState state = state(rs.getString(6));
        Timestamp createdAt = rs.getTimestamp(7);
        Timestamp expiresAt = rs.getTimestamp(8);
        Timestamp retiredAt = rs.getTimestamp(9);
        if (id <= 0
                || scope == null
                || masterKeyId == null
                || encryptedKey == null
                || encryptedKey.length == 0
                || context == null
                || createdAt == null) {
            throw malformed(id, "a required column is empty");
        }
        if (!isPrintable(scope) || !isPrintable(masterKeyId)) {
            throw malformed(id, "its scope or master key id holds control characters");
        }
        if (state == null) {
            throw malformed(id, "its state is neither ACTIVE nor RETIRED");
        }
        if (state == DataKeyState.RETIRED && retiredAt == null) {
            throw malformed(id, "it is retired but has no retirement time");
        }
        Map<String, String> parsedContext = Json.readStringMap(context);
        if (parsedContext == null) {
            throw malformed(id, "its encryption context is not a JSON object of strings");
        }
        return new StoredDataKey(
                id,
                scope,
                new WrappedDataKey(masterKeyId, encryptedKey),
                parsedContext,
                state,
                createdAt.toInstant(),
                expiresAt == null ? null : expiresAt.toInstant(),
                retiredAt == null ? null : retiredAt.toInstant());
    }

    private static DataKeyState state(String text) {
        if ("ACTIVE".equals(text)) {
            return DataKeyState.ACTIVE;
        }
        return "RETIRED".equals(text) ? DataKeyState.RETIRED : null;
    }

    /** Whether text read from a row may go into a message or a log line: no control characters (no forged lines). */
    private static boolean isPrintable(String text) {
        return text != null && text.chars().noneMatch(Character::isISOControl);
    }

    /** {@code text} with control characters replaced, for names that are only counted. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }

    private DecryptionException malformed(long id, String why) {
        return new DecryptionException(
                "data key " + id + " in " + table + " is malformed: " + why + "; refusing to use it");
    }

    private void create() {
        inTransaction("create", connection -> {
            try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
                // Two instances starting at once must not race on "create table if not exists".
                lock.setString(1, "fieldcrypt:" + table);
                lock.execute();
            }
            try (Statement ddl = connection.createStatement()) {
                ddl.execute(ddl(table));
            }
            return null;
        });
        LOG.debug("data key table {} is present", table);
    }

    private void validate() {
        Map<String, String> actual = inTransaction("validate", connection -> {
            Map<String, String> columns = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement("select a.attname,"
                    + " format_type(a.atttypid, null) from pg_attribute a where a.attrelid = to_regclass(?)"
                    + " and a.attnum > 0 and not a.attisdropped")) {
                select.setString(1, table);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        columns.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return columns;
        });
        if (actual.isEmpty()) {
            throw new ConfigurationException("data key table " + table + " does not exist: create it with the DDL in"
                    + " docs/SCHEMA.md, or let fieldcrypt create it (schema mode CREATE)");
        }
        TreeSet<String> problems = new TreeSet<>();
        COLUMNS.forEach((column, type) -> {
            String found = actual.get(column);
            if (found == null) {
                problems.add(column + " is missing");
            } else if (!found.equals(type)) {
                problems.add(column + " is " + found + ", expected " + type);
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigurationException("data key table " + table + " does not match what fieldcrypt needs: "
                    + String.join("; ", problems) + ". Compare it with the DDL in docs/SCHEMA.md");
        }
    }

    private <T> T inTransaction(String what, ConnectionSource.Work<T> work) {
        return connections.inTransaction(what + " data key table " + table, DataKeyStoreException::new, work);
    }

    private static String checkedName(String table) {
        String[] parts = table.split("\\.", -1);
        boolean valid = parts.length <= 2;
        for (String part : parts) {
            valid &= IDENTIFIER.matcher(part).matches();
        }
        if (!valid) {
            throw new ConfigurationException("data key table name '" + table + "' is not a plain identifier:"
                    + " use letters, digits and '_', optionally schema-qualified (schema.table)");
        }
        return table;
    }

    @Override
    public String toString() {
        return "PostgresDataKeyStore[" + table + "]";
    }
}
