package io.fieldcrypt.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DataKeyStoreException;
import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.SchemaMode;
import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPostgres.class)
class PostgresDataKeyStoreTest {

    private static final Map<String, String> CONTEXT = Map.of("fieldcrypt:scope", "customer.ssn");
    private static final Duration USABLE = Duration.ofMinutes(5);

    private final TestDatabase db;

    PostgresDataKeyStoreTest(TestDatabase db) {
        this.db = db;
    }

    @Test
    void insert_thenFind_roundTripsEveryField() {
        var store =
                PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_roundtrip", SchemaMode.CREATE);
        WrappedDataKey wrapped = new WrappedDataKey("arn:aws:kms:us-east-1:1:key/a", new byte[] {1, 2, 3, 4});

        StoredDataKey inserted = store.insert("customer.ssn", wrapped, CONTEXT, USABLE);

        assertThat(inserted.id()).isPositive();
        assertThat(inserted.expiresAt()).isEqualTo(inserted.createdAt().plus(USABLE));
        assertThat(store.find(inserted.id()))
                .contains(new StoredDataKey(
                        inserted.id(),
                        "customer.ssn",
                        wrapped,
                        CONTEXT,
                        DataKeyState.ACTIVE,
                        inserted.createdAt(),
                        inserted.expiresAt(),
                        null));
        assertThat(store.find(inserted.id() + 1000)).isEmpty();
    }

    @Test
    void insert_contextWithAwkwardCharacters_roundTrips() {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_json", SchemaMode.CREATE);
        Map<String, String> context = Map.of("fieldcrypt:scope", "a\"b\\c\u0001d\u00e9", "other", "");

        StoredDataKey inserted = store.insert("s", new WrappedDataKey("k", new byte[] {9}), context, USABLE);

        assertThat(store.find(inserted.id()).orElseThrow().encryptionContext()).isEqualTo(context);
    }

    @Test
    void insert_isCommittedOnItsOwnConnection_visibleToOthersAtOnce() throws SQLException {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_commit", SchemaMode.CREATE);

        long id = store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();

        try (Connection other = db.connect();
                Statement st = other.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from keys_commit where id = " + id)) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void create_existingTable_keepsRows() {
        var source = ConnectionSource.of(db.dataSource());
        long id = PostgresDataKeyStore.open(source, "keys_twice", SchemaMode.CREATE)
                .insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();

        var again = PostgresDataKeyStore.open(source, "keys_twice", SchemaMode.CREATE);

        assertThat(again.find(id)).isPresent();
    }

    @Test
    void create_manyInstancesAtOnce_allSucceed() throws Exception {
        var source = ConnectionSource.of(db.dataSource());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<PostgresDataKeyStore>> opened = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                opened.add(pool.submit(() -> {
                    start.await();
                    return PostgresDataKeyStore.open(source, "keys_race", SchemaMode.CREATE);
                }));
            }
            start.countDown();
            for (Future<PostgresDataKeyStore> future : opened) {
                assertThat(future.get(30, TimeUnit.SECONDS).describe()).isEqualTo("keys_race");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void validate_missingTable_namesTableAndFix() {
        assertThatThrownBy(() -> PostgresDataKeyStore.open(
                        ConnectionSource.of(db.dataSource()), "keys_absent", SchemaMode.VALIDATE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("data key table keys_absent does not exist: create it with the DDL in docs/SCHEMA.md,"
                        + " or let fieldcrypt create it (schema mode CREATE)");
    }

    @Test
    void validate_wrongColumns_namesEachProblem() throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute("create table keys_wrong (id bigint primary key, scope text, master_key_id varchar(10),"
                    + " encrypted_key text, encryption_context jsonb, state varchar(16), created_at timestamptz,"
                    + " retired_at timestamptz)");
        }

        assertThatThrownBy(() -> PostgresDataKeyStore.open(
                        ConnectionSource.of(db.dataSource()), "keys_wrong", SchemaMode.VALIDATE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("data key table keys_wrong does not match what fieldcrypt needs: encrypted_key is text,"
                        + " expected bytea; expires_at is missing; rewrapped_at is missing; scope is text, expected"
                        + " character varying. Compare it with the DDL in docs/SCHEMA.md");
    }

    /** A table made by version 0.1 has no expires_at: schema mode create adds it, and its old rows read as before. */
    @Test
    void create_tableOfVersion01_gainsExpiresAtAndOldRowsRead() throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(PostgresDataKeyStore.ddl("keys_v01"));
            st.execute("alter table keys_v01 drop column expires_at");
            st.execute("insert into keys_v01 (scope, master_key_id, encrypted_key, encryption_context, created_at)"
                    + " values ('s', 'k', '\\x09', '{\"fieldcrypt:scope\": \"s\"}', now())");
        }
        assertThatThrownBy(() -> PostgresDataKeyStore.open(
                        ConnectionSource.of(db.dataSource()), "keys_v01", SchemaMode.VALIDATE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("expires_at is missing");

        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_v01", SchemaMode.CREATE);

        StoredDataKey old = store.page(List.of("s"), 0, 10).get(0);
        assertThat(old.expiresAt()).isNull();
        assertThat(store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                        .expiresAt())
                .isNotNull();
    }

    @Test
    void find_rowWithControlCharactersOrRetiredWithoutTime_malformed() throws SQLException {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_ctl", SchemaMode.CREATE);
        long forged = store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();
        long undated = store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(
                    "update keys_ctl set master_key_id = E'k\\n2026-12-01 INFO forged log line' where id = " + forged);
            st.execute("update keys_ctl set state = 'RETIRED', retired_at = null where id = " + undated);
        }

        assertThatThrownBy(() -> store.find(forged))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("data key " + forged + " in keys_ctl is malformed: its scope or master key id holds"
                        + " control characters; refusing to use it");
        assertThatThrownBy(() -> store.find(undated))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("data key " + undated + " in keys_ctl is malformed: it is retired but has no retirement"
                        + " time; refusing to use it");
        assertThat(store.countRetiredByScope()).containsExactly(Map.entry("s", 1L));
    }

    @Test
    void validate_tableMadeFromShippedDdl_passes() throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(PostgresDataKeyStore.ddl("keys_ddl"));
        }

        assertThat(PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_ddl", SchemaMode.VALIDATE)
                        .describe())
                .isEqualTo("keys_ddl");
    }

    @Test
    void none_touchesNothing() throws SQLException {
        PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_none", SchemaMode.NONE);

        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select to_regclass('keys_none') is null")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
        }
    }

    @Test
    void schemaQualifiedName_createsInThatSchema() throws SQLException {
        TestDatabase other = db.newSchema("keys_elsewhere");

        var store = PostgresDataKeyStore.open(
                ConnectionSource.of(db.dataSource()), other.schema() + ".fieldcrypt_data_key", SchemaMode.CREATE);
        long id = store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();

        try (Connection c = other.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from fieldcrypt_data_key where id = " + id)) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void open_nameThatIsNotAnIdentifier_refusedBeforeAnySql() {
        assertThatThrownBy(() -> PostgresDataKeyStore.open(
                        ConnectionSource.of(db.dataSource()), "keys; drop table x", SchemaMode.CREATE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("data key table name 'keys; drop table x' is not a plain identifier: use letters, digits"
                        + " and '_', optionally schema-qualified (schema.table)");
        assertThatThrownBy(() -> PostgresDataKeyStore.ddl("a.b.c")).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void insert_noConnection_typedErrorAndNothingStored() {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_down", SchemaMode.CREATE);
        ConnectionSource broken = new ConnectionSource() {
            @Override
            public Connection acquire() throws SQLException {
                throw new SQLException("connection refused", "08001");
            }

            @Override
            public void release(Connection connection) {}
        };
        var down = PostgresDataKeyStore.open(broken, "keys_down", SchemaMode.NONE);

        assertThatThrownBy(() -> down.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE))
                .isInstanceOf(DataKeyStoreException.class)
                .hasMessage("cannot store a new data key in data key table keys_down: no database connection (08001)");
        assertThat(store.find(1)).isEmpty();
    }

    @Test
    void insert_failingStatement_rolledBackAndConnectionRestored() throws SQLException {
        var source = ConnectionSource.of(db.dataSource());
        var store = PostgresDataKeyStore.open(source, "keys_fail", SchemaMode.CREATE);
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute("alter table keys_fail add constraint no_scope_x check (scope <> 'x')");
        }

        assertThatThrownBy(() -> store.insert("x", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE))
                .isInstanceOf(DataKeyStoreException.class)
                .hasMessage("cannot store a new data key in data key table keys_fail (SQL state 23514)");
        assertThat(store.insert("y", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                        .id())
                .isPositive();
    }

    @Test
    void findOrMakeUnder_findsOnlyActiveKeysOfThatMasterKey_andMakesOneOtherwise() {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_under", SchemaMode.CREATE);
        long underM1 = store.findOrMakeUnder("sk", "m1", CONTEXT, () -> new WrappedDataKey("m1", new byte[] {1}))
                .id();

        assertThat(store.findOrMakeUnder("sk", "m1", CONTEXT, () -> {
                            throw new AssertionError("must not make a second key");
                        })
                        .id())
                .isEqualTo(underM1);
        long underM2 = store.findOrMakeUnder("sk", "m2", CONTEXT, () -> new WrappedDataKey("m2", new byte[] {2}))
                .id();
        assertThat(underM2).isNotEqualTo(underM1);
        store.retireActive(List.of("sk"));
        assertThat(store.findOrMakeUnder("sk", "m1", CONTEXT, () -> new WrappedDataKey("m1", new byte[] {3}))
                        .id())
                .isNotIn(underM1, underM2);
    }

    @Test
    void insertUnderScopeKey_onlyWhileItIsActive_andDeleteKeepsAScopeKeyOthersAreWrappedUnder() throws SQLException {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_tree", SchemaMode.CREATE);
        long scopeKey = store.insert(
                        "fieldcrypt:scope-key:s", new WrappedDataKey("m1", new byte[] {1}), CONTEXT, USABLE)
                .id();
        long retiredChild = store.insert("s", WrappedDataKey.underScopeKey(scopeKey, new byte[] {2}), CONTEXT, USABLE)
                .id();
        store.retireActive(List.of("s", "fieldcrypt:scope-key:s"));

        assertThatThrownBy(() ->
                        store.insert("s", WrappedDataKey.underScopeKey(scopeKey, new byte[] {3}), CONTEXT, USABLE))
                .isInstanceOf(io.fieldcrypt.InactiveScopeKeyException.class)
                .hasMessage("scope key " + scopeKey + " in keys_tree is no longer active (retired or deleted"
                        + " meanwhile); no data key was stored under it");
        assertThat(store.page(List.of("s"), 0, 10))
                .extracting(StoredDataKey::id)
                .containsExactly(retiredChild);

        // A key under it that is not being deleted (an instance's key that missed the rotation) keeps it.
        long activeChild = insertRaw("keys_tree", "s", "fieldcrypt:key:" + scopeKey);
        assertThat(store.deleteRetired(List.of("s", "fieldcrypt:scope-key:s"), (connection, keys, now) -> {}))
                .containsExactly(retiredChild);
        assertThat(store.find(scopeKey)).isPresent();

        store.retireActive(List.of("s"));
        assertThat(store.deleteRetired(List.of("s", "fieldcrypt:scope-key:s"), (connection, keys, now) -> {}))
                .containsExactly(scopeKey, activeChild);
        assertThat(store.find(scopeKey)).isEmpty();
    }

    /** A delete that locked the scope key first makes a concurrent insert under it fail, never leave an orphan. */
    @Test
    void insertUnderScopeKey_whileADeleteHoldsIt_refusedAndNoOrphanLeft() throws Exception {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_race", SchemaMode.CREATE);
        long scopeKey = store.insert(
                        "fieldcrypt:scope-key:s", new WrappedDataKey("m1", new byte[] {1}), CONTEXT, USABLE)
                .id();
        store.retireActive(List.of("fieldcrypt:scope-key:s"));
        CountDownLatch guardEntered = new CountDownLatch(1);
        CountDownLatch insertStarted = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<Long>> delete = pool.submit(() ->
                    store.deleteRetired(List.of("s", "fieldcrypt:scope-key:s"), (connection, keys, now) -> {
                        guardEntered.countDown();
                        try {
                            insertStarted.await(10, TimeUnit.SECONDS);
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
            assertThat(guardEntered.await(10, TimeUnit.SECONDS)).isTrue();
            Future<StoredDataKey> insert = pool.submit(() -> {
                insertStarted.countDown();
                return store.insert("s", WrappedDataKey.underScopeKey(scopeKey, new byte[] {2}), CONTEXT, USABLE);
            });

            assertThat(delete.get(10, TimeUnit.SECONDS)).containsExactly(scopeKey);
            assertThatThrownBy(() -> insert.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(io.fieldcrypt.InactiveScopeKeyException.class);
            assertThat(store.page(List.of("s"), 0, 10)).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A rotation that meets an insert holding the scope key retires the key that insert commits too: no key stays
     * active under a retired scope key.
     */
    @Test
    void retireActive_whileAnInsertHoldsTheScopeKey_retiresTheKeyItCommits() throws Exception {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_rotrace", SchemaMode.CREATE);
        long scopeKey = store.insert(
                        "fieldcrypt:scope-key:s", new WrappedDataKey("m1", new byte[] {1}), CONTEXT, USABLE)
                .id();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection inserting = db.dataSource().getConnection()) {
            // What PostgresDataKeyStore.insert does, held open: the scope key locked, a key under it inserted.
            inserting.setAutoCommit(false);
            try (Statement st = inserting.createStatement()) {
                st.executeQuery("select 1 from keys_rotrace where id = " + scopeKey + " and state = 'ACTIVE' for share")
                        .close();
                st.executeQuery("insert into keys_rotrace (scope, master_key_id, encrypted_key, encryption_context,"
                                + " state, created_at) values ('s', 'fieldcrypt:key:" + scopeKey + "', '\\x01',"
                                + " '{}', 'ACTIVE', now()) returning id")
                        .close();
            }
            Future<List<StoredDataKey>> retire =
                    pool.submit(() -> store.retireActive(List.of("s", "fieldcrypt:scope-key:s")));
            Thread.sleep(300);
            assertThat(retire.isDone()).as("waits for the insert's lock").isFalse();
            inserting.commit();

            assertThat(retire.get(10, TimeUnit.SECONDS)).hasSize(2);
            assertThat(store.page(List.of("s"), 0, 10))
                    .extracting(StoredDataKey::state)
                    .containsExactly(DataKeyState.RETIRED);
        } finally {
            pool.shutdownNow();
        }
    }

    private long insertRaw(String table, String scope, String masterKeyId) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("insert into " + table + " (scope, master_key_id, encrypted_key,"
                        + " encryption_context, state, created_at) values ('" + scope + "', '" + masterKeyId
                        + "', '\\x01', '{\"fieldcrypt:scope\": \"customer.ssn\"}', 'ACTIVE', now()) returning id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void page_replaceWrapping_retire_delete_count() {
        var store = PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_admin", SchemaMode.CREATE);
        WrappedDataKey a = new WrappedDataKey("m1", new byte[] {1});
        long first = store.insert("s", a, CONTEXT, USABLE).id();
        long second = store.insert("s", new WrappedDataKey("m1", new byte[] {2}), CONTEXT, USABLE)
                .id();

        assertThat(store.page(List.of("s"), 0, 1)).extracting(StoredDataKey::id).containsExactly(first);
        assertThat(store.page(List.of("s"), first, 10))
                .extracting(StoredDataKey::id)
                .containsExactly(second);

        WrappedDataKey rewrapped = new WrappedDataKey("m2", new byte[] {3});
        assertThat(store.replaceWrapping(first, a, rewrapped)).isTrue();
        assertThat(store.replaceWrapping(first, a, new WrappedDataKey("m3", new byte[] {4})))
                .isFalse();
        assertThat(store.find(first).orElseThrow().wrapped()).isEqualTo(rewrapped);

        long foreign = store.insert("other", a, Map.of("fieldcrypt:scope", "other"), USABLE)
                .id();
        List<StoredDataKey> retired = store.retireActive(List.of("s"));
        assertThat(retired).extracting(StoredDataKey::id).containsExactly(first, second);
        assertThat(store.find(first).orElseThrow().state()).isEqualTo(DataKeyState.RETIRED);
        assertThat(store.find(first).orElseThrow().retiredAt())
                .isEqualTo(retired.get(0).retiredAt())
                .isAfterOrEqualTo(store.find(first).orElseThrow().createdAt());
        assertThat(store.find(foreign).orElseThrow().state()).isEqualTo(DataKeyState.ACTIVE);
        long third = store.insert("s", a, CONTEXT, USABLE).id();
        assertThat(store.countByStateAndMasterKey(List.of("s")))
                .containsExactly(
                        new io.fieldcrypt.spi.DataKeyCount(DataKeyState.ACTIVE, "m1", 1),
                        new io.fieldcrypt.spi.DataKeyCount(DataKeyState.RETIRED, "m1", 1),
                        new io.fieldcrypt.spi.DataKeyCount(DataKeyState.RETIRED, "m2", 1));

        List<List<Long>> guarded = new java.util.ArrayList<>();
        assertThatThrownBy(() -> store.deleteRetired(List.of("s"), (connection, keys, now) -> {
                    guarded.add(keys.stream().map(StoredDataKey::id).toList());
                    assertThat(now).isAfterOrEqualTo(keys.get(0).retiredAt());
                    throw new io.fieldcrypt.FieldCryptException("refused by the guard");
                }))
                .isInstanceOf(io.fieldcrypt.FieldCryptException.class)
                .hasMessage("refused by the guard");
        assertThat(guarded).containsExactly(List.of(first, second));
        assertThat(store.find(first)).isPresent();

        assertThat(store.deleteRetired(List.of("s"), (connection, keys, now) -> {}))
                .containsExactly(first, second);
        assertThat(store.find(first)).isEmpty();
        assertThat(store.find(third)).isPresent();
        assertThat(store.find(foreign)).isPresent();
        assertThat(store.deleteRetired(List.of("s"), (connection, keys, now) -> {
                    throw new AssertionError("no key to check");
                }))
                .isEmpty();
    }

    @Test
    void find_malformedRow_decryptionExceptionWithoutTheRowsText() throws SQLException {
        var store =
                PostgresDataKeyStore.open(ConnectionSource.of(db.dataSource()), "keys_malformed", SchemaMode.CREATE);
        long badContext = store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();
        long badMember = store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();
        long emptyKey = store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();
        long badState = store.insert("s", new WrappedDataKey("k", new byte[] {9}), CONTEXT, USABLE)
                .id();
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute("update keys_malformed set encryption_context = '[\"attacker text\"]' where id = " + badContext);
            st.execute(
                    "update keys_malformed set encryption_context = '{\"attacker text\": 1}' where id = " + badMember);
            st.execute("update keys_malformed set encrypted_key = ''::bytea where id = " + emptyKey);
            st.execute("alter table keys_malformed drop constraint if exists keys_malformed_state_check");
            st.execute("update keys_malformed set state = 'attacker text' where id = " + badState);
        }

        assertThatThrownBy(() -> store.find(badContext))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("data key " + badContext + " in keys_malformed is malformed: its encryption context is"
                        + " not a JSON object of strings; refusing to use it")
                .hasNoCause();
        assertThatThrownBy(() -> store.find(badMember))
                .isInstanceOf(DecryptionException.class)
                .hasMessageNotContaining("attacker text")
                .hasNoCause();
        assertThatThrownBy(() -> store.find(emptyKey))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("data key " + emptyKey + " in keys_malformed is malformed: a required column is empty;"
                        + " refusing to use it");
        assertThatThrownBy(() -> store.find(badState))
                .isInstanceOf(DecryptionException.class)
                .hasMessageNotContaining("attacker text");
    }
}
