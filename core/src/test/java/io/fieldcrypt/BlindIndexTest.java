package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestKeys;
import io.fieldcrypt.testing.TestPostgres;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Blind index values: keyed, deterministic per index, unrelated across indexes, of the requested length; the root key
 * of a key group made once however many processes start together, unwrapped once per process, and never usable as a
 * data key.
 */
@ExtendWith(TestPostgres.class)
class BlindIndexTest {

    private static final BlindIndexSpec EMAIL =
            new BlindIndexSpec("customer.email_bidx", "customer.email_bidx|NONE", 128);
    private static final byte[] ADA = "ada@example.org".getBytes(UTF_8);

    private final TestDatabase db;
    /** One master key for the class: the schema (and its data key table) is shared by the tests of a class. */
    private static final KeyProvider provider = TestKeys.localProvider("k1");

    BlindIndexTest(TestDatabase db) {
        this.db = db;
    }

    private FieldEncryptor encryptor(KeyProvider keys, Consumer<String> beforeMakingRoot) {
        return builder(keys, "k1").beforeMakingBlindIndexRoot(beforeMakingRoot).build();
    }

    private FieldEncryptor encryptor() {
        return encryptor(provider, group -> {});
    }

    /** RFC 5869, test case 3 (SHA-256, no salt, no info): the first 32 bytes of its OKM. */
    @Test
    void hkdf_matchesRfc5869TestCase3() {
        byte[] ikm = new byte[22];
        java.util.Arrays.fill(ikm, (byte) 0x0b);

        assertThat(HexFormat.of().formatHex(BlindIndexKeys.hkdfSha256(ikm, new byte[0])))
                .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
    }

    @Test
    void sameIndexAndValue_sameBytesInEveryProcess_anyChangeOfIndexOrValue_otherBytes() {
        byte[] first;
        List<byte[]> others = new ArrayList<>();
        try (FieldEncryptor encryptor = encryptor()) {
            first = encryptor.blindIndex(EMAIL, ADA);
            assertThat(encryptor.blindIndex(EMAIL, ADA)).isEqualTo(first);
            others.add(encryptor.blindIndex(EMAIL, "Ada@example.org".getBytes(UTF_8)));
            others.add(encryptor.blindIndex(new BlindIndexSpec("supplier.email_bidx", EMAIL.name(), 128), ADA));
            others.add(encryptor.blindIndex(
                    new BlindIndexSpec(EMAIL.keyGroup(), "customer.email_bidx|CASEFOLD", 128), ADA));
            others.add(encryptor.blindIndex(new BlindIndexSpec(EMAIL.keyGroup(), EMAIL.name(), 256), ADA));
        }
        try (FieldEncryptor cold = encryptor()) {
            assertThat(cold.blindIndex(EMAIL, ADA))
                    .as("a cold process, same stored root key")
                    .isEqualTo(first);
        }

        assertThat(first).hasSize(16).isNotEqualTo(ADA);
        assertThat(new String(first, UTF_8)).doesNotContain("ada");
        for (byte[] other : others) {
            assertThat(java.util.Arrays.copyOf(other, 16)).isNotEqualTo(first);
        }
    }

    @Test
    void truncatedIndex_hasCeilBytes_unusedLowBitsZero_andIsAPrefixOfTheFullValueOfThatLength() {
        try (FieldEncryptor encryptor = encryptor()) {
            for (int i = 0; i < 50; i++) {
                byte[] value =
                        encryptor.blindIndex(new BlindIndexSpec("t.c", "t.c|NONE", 12), ("v" + i).getBytes(UTF_8));
                assertThat(value).hasSize(2);
                assertThat(value[1] & 0x0F).isZero();
            }
            assertThat(encryptor.blindIndex(new BlindIndexSpec("t.c", "t.c|NONE", 8), ADA))
                    .hasSize(1);
        }
    }

    /** Eight processes starting cold at once: one root key row, one key provider call each. */
    @Test
    void eightColdProcessesAtOnce_makeOneRootKey_andEachUsesOneKeyProviderCall() throws Exception {
        BlindIndexSpec index = new BlindIndexSpec("cold-start", "cold-start|NONE", 128);
        int processes = 8;
        List<FieldEncryptor> encryptors = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            encryptors.add(encryptor());
        }
        ExecutorService pool = Executors.newFixedThreadPool(processes * 2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<byte[]>> results = new ArrayList<>();
        try {
            for (FieldEncryptor encryptor : encryptors) {
                for (int thread = 0; thread < 2; thread++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return encryptor.blindIndex(index, ADA);
                    }));
                }
            }
            start.countDown();
            byte[] expected = results.get(0).get();
            for (Future<byte[]> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
            assertThat(rootRows("cold-start")).isEqualTo(1);
            long generated = 0;
            for (FieldEncryptor encryptor : encryptors) {
                DataKeyStats stats = encryptor.stats();
                assertThat(stats.keyProviderCalls()).as("one call per process").isEqualTo(1);
                generated += stats.generateDataKeyCalls();
            }
            assertThat(generated).as("one process made the root key").isEqualTo(1);
        } finally {
            pool.shutdownNow();
            encryptors.forEach(FieldEncryptor::close);
        }
    }

    /**
     * Whatever the connections' isolation, and however the data key table's name is spelled, processes starting
     * together make one root key.
     */
    @Test
    void repeatableReadConnectionsAndTwoSpellingsOfTheTable_stillOneRootKey() throws Exception {
        BlindIndexSpec index = new BlindIndexSpec("isolation", "isolation|NONE", 128);
        String schema;
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_schema()")) {
            rs.next();
            schema = rs.getString(1);
        }
        ConnectionSource repeatableRead = new ConnectionSource() {
            @Override
            public Connection acquire() throws SQLException {
                Connection c = db.dataSource().getConnection();
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                return c;
            }

            @Override
            public void release(Connection connection) throws SQLException {
                connection.close();
            }
        };
        List<FieldEncryptor> encryptors = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String table = i % 2 == 0 ? DataKeyStores.DEFAULT_TABLE : schema + "." + DataKeyStores.DEFAULT_TABLE;
            encryptors.add(FieldEncryptor.builder()
                    .keyProvider(provider)
                    .masterKeyId("k1")
                    .dataKeyStore(DataKeyStores.postgres(repeatableRead, table, SchemaMode.CREATE))
                    .build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(encryptors.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<byte[]>> results = new ArrayList<>();
        try {
            for (FieldEncryptor encryptor : encryptors) {
                results.add(pool.submit(() -> {
                    start.await();
                    return encryptor.blindIndex(index, ADA);
                }));
            }
            start.countDown();
            byte[] expected = results.get(0).get();
            for (Future<byte[]> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
            assertThat(rootRows("isolation")).isEqualTo(1);
        } finally {
            pool.shutdownNow();
            encryptors.forEach(FieldEncryptor::close);
        }
    }

    /** The purposes are separated by the encryption context the key provider binds the wrapped key to. */
    @Test
    void rootKeyNeverUnwrapsAsADataKey_andADataKeyNeverAsARootKey() throws SQLException {
        long dataKeyId;
        try (FieldEncryptor encryptor = encryptor()) {
            encryptor.blindIndex(EMAIL, ADA);
            dataKeyId = Envelope.parse(
                            encryptor.seal("customer.email", FieldContext.of("C", "customer", "email", "1"), ADA))
                    .dataKeyId();
        }
        WrappedDataKey root = wrapped("scope = 'fieldcrypt:blind-index:customer.email_bidx'");
        WrappedDataKey data = wrapped("id = " + dataKeyId);
        Map<String, String> rootContext = BlindIndexKeys.encryptionContext("customer.email_bidx");

        assertThatThrownBy(() -> provider.decryptDataKey(
                        root, DataKeyCache.encryptionContext("fieldcrypt:blind-index:customer.email_bidx")))
                .isInstanceOf(KeyProviderException.class)
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(KeyProviderException.Reason.INVALID_CIPHERTEXT);
        assertThatThrownBy(() -> provider.decryptDataKey(data, rootContext)).isInstanceOf(KeyProviderException.class);
        assertThat(provider.decryptDataKey(root, rootContext).plaintext().lengthBytes())
                .isEqualTo(32);

        // An envelope pointing at the root key row is refused before any unwrap, whatever scope the caller names.
        long rootId = rootId("customer.email_bidx");
        byte[] forged;
        try (FieldEncryptor encryptor = encryptor()) {
            forged = encryptor.seal("customer.email", FieldContext.of("C", "customer", "email", "1"), ADA);
        }
        ByteBuffer.wrap(forged).putLong(Envelope.DATA_KEY_ID_OFFSET, rootId);
        try (FieldEncryptor encryptor = encryptor()) {
            assertThatThrownBy(() -> encryptor.open(
                            Set.of("customer.email", "fieldcrypt:blind-index:customer.email_bidx"),
                            FieldContext.of("C", "customer", "email", "1"),
                            forged))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("key " + rootId + " of scope fieldcrypt:blind-index:customer.email_bidx is not a data"
                            + " key; refusing to use it");
            assertThatThrownBy(() -> encryptor.seal(
                            "fieldcrypt:blind-index:customer.email_bidx",
                            FieldContext.of("C", "customer", "email", "1"),
                            ADA))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is reserved for fieldcrypt's own keys");
        }
    }

    @Test
    void alteredOrUntrustedRootKeyRow_refused() throws SQLException {
        BlindIndexSpec index = new BlindIndexSpec("altered", "altered|NONE", 128);
        try (FieldEncryptor encryptor = encryptor()) {
            encryptor.blindIndex(index, ADA);
        }
        execute("update fieldcrypt_data_key set encryption_context = '{\"fieldcrypt:scope\": \"x\"}'"
                + " where scope = 'fieldcrypt:blind-index:altered'");
        try (FieldEncryptor encryptor = encryptor()) {
            assertThatThrownBy(() -> encryptor.blindIndex(index, ADA))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("is recorded with another encryption context");
        }
        execute("update fieldcrypt_data_key set master_key_id = 'someone-else', encryption_context ="
                + " '{\"fieldcrypt:purpose\": \"blind-index-root\", \"fieldcrypt:key-group\": \"altered\"}'"
                + " where scope = 'fieldcrypt:blind-index:altered'");
        try (FieldEncryptor encryptor = encryptor()) {
            assertThatThrownBy(() -> encryptor.blindIndex(index, ADA))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("which is not a trusted master key");
        }
    }

    @Test
    void checkBeforeMakingTheRoot_refusesWithNothingMade_andRunsOnlyWhenThereIsNone() throws SQLException {
        BlindIndexSpec vetoed = new BlindIndexSpec("vetoed", "vetoed|NONE", 128);
        List<String> checked = new ArrayList<>();
        try (FieldEncryptor refusing = encryptor(provider, group -> {
            checked.add(group);
            throw new ConfigurationException("index values exist for " + group);
        })) {
            assertThatThrownBy(() -> refusing.blindIndex(vetoed, ADA))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("index values exist for vetoed");
            assertThat(refusing.stats().generateDataKeyCalls()).isZero();
        }
        assertThat(rootRows("vetoed")).isZero();

        try (FieldEncryptor encryptor = encryptor()) {
            encryptor.blindIndex(vetoed, ADA);
        }
        try (FieldEncryptor later = encryptor(provider, group -> checked.add("again " + group))) {
            later.blindIndex(vetoed, ADA);
        }
        assertThat(checked).containsExactly("vetoed");
    }

    /** Rewrapping under a new master key covers root keys, under their own context; the index values stay. */
    @Test
    void rewrap_movesTheRootKeyToTheNewMasterKey_indexValuesUnchanged() {
        KeyProvider twoKeys = TestKeys.localProvider("old", "new");
        BlindIndexSpec index = new BlindIndexSpec("rewrapped", "rewrapped|NONE", 128);
        String scope = "fieldcrypt:blind-index:rewrapped";
        byte[] before;
        try (FieldEncryptor old = builder(twoKeys, "old").build()) {
            before = old.blindIndex(index, ADA);
        }
        try (FieldEncryptor current =
                builder(twoKeys, "new").trustedMasterKeyIds(List.of("old")).build()) {
            RewrapReport report = current.dataKeys().rewrap(Set.of(scope));
            assertThat(report.rewrapped()).isEqualTo(1);
        }
        try (FieldEncryptor onlyNew = builder(twoKeys, "new").build()) {
            assertThat(onlyNew.blindIndex(index, ADA)).isEqualTo(before);
        }
    }

    private FieldEncryptor.Builder builder(KeyProvider keys, String masterKeyId) {
        return FieldEncryptor.builder()
                .keyProvider(keys)
                .masterKeyId(masterKeyId)
                .dataKeyStore(DataKeyStores.postgres(
                        ConnectionSource.of(db.dataSource()), DataKeyStores.DEFAULT_TABLE, SchemaMode.CREATE));
    }

    private long rootRows(String group) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from fieldcrypt_data_key where scope ="
                        + " 'fieldcrypt:blind-index:" + group + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long rootId(String group) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select id from fieldcrypt_data_key where scope = 'fieldcrypt:blind-index:" + group + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private WrappedDataKey wrapped(String where) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select master_key_id, encrypted_key from fieldcrypt_data_key where " + where)) {
            assertThat(rs.next()).isTrue();
            return new WrappedDataKey(rs.getString(1), rs.getBytes(2));
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
