package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestKeys;
import io.fieldcrypt.testing.TestPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A business transaction that rolls back after the first use of a new data key must not leave later ciphertexts
 * pointing at a key that does not exist.
 */
@ExtendWith(TestPostgres.class)
class DataKeyDurabilityTest {

    @Test
    void rollbackAfterFirstUseOfNewKey_keyStaysAndLaterValuesDecrypt(TestDatabase db) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute("create table customer (id bigint primary key, ssn bytea not null)");
        }
        KeyProvider provider = TestKeys.localProvider("k1");
        ConnectionSource connections = ConnectionSource.of(db.dataSource());
        long keyId;
        try (FieldEncryptor encryptor = newEncryptor(provider, connections)) {
            byte[] first = encryptor.seal(
                    "customer.ssn", FieldContext.of("Customer", "customer", "ssn", "1"), "111-11-1111".getBytes(UTF_8));
            keyId = Envelope.parse(first).dataKeyId();
            try (Connection business = db.connect()) {
                business.setAutoCommit(false);
                insert(business, 1, first);
                business.rollback();
            }
            assertThat(count(db, "select count(*) from fieldcrypt_data_key where id = " + keyId))
                    .isEqualTo(1);

            byte[] second = encryptor.seal(
                    "customer.ssn", FieldContext.of("Customer", "customer", "ssn", "2"), "222-22-2222".getBytes(UTF_8));
            assertThat(Envelope.parse(second).dataKeyId()).isEqualTo(keyId);
            try (Connection business = db.connect()) {
                insert(business, 2, second);
            }
        }

        try (FieldEncryptor cold = newEncryptor(provider, connections);
                Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select ssn from customer")) {
            assertThat(rs.next()).isTrue();
            byte[] stored = rs.getBytes(1);
            assertThat(new String(stored, UTF_8)).doesNotContain("222-22-2222");
            assertThat(cold.open("customer.ssn", FieldContext.of("Customer", "customer", "ssn", "2"), stored))
                    .isEqualTo("222-22-2222".getBytes(UTF_8));
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void connectionFailsWhileStoringNewKey_nothingSealedAndNoKeyReferencedLater(TestDatabase db) throws SQLException {
        AtomicBoolean failCommits = new AtomicBoolean(false);
        ConnectionSource flaky = new ConnectionSource() {
            @Override
            public Connection acquire() throws SQLException {
                Connection real = db.dataSource().getConnection();
                AtomicBoolean inserted = new AtomicBoolean();
                return (Connection) Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            if (method.getName().equals("prepareStatement")
                                    && ((String) args[0]).startsWith("insert")) {
                                inserted.set(true);
                            }
                            // Only transactions that store a key fail to commit: the key they stored is lost.
                            if (method.getName().equals("commit") && failCommits.get() && inserted.get()) {
                                throw new SQLException("connection reset during commit", "08006");
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }

            @Override
            public void release(Connection connection) throws SQLException {
                connection.close();
            }
        };
        KeyProvider provider = TestKeys.localProvider("k1");
        DataKeyStore store = DataKeyStores.postgres(flaky, "keys_flaky", SchemaMode.CREATE);
        try (FieldEncryptor encryptor = FieldEncryptor.builder()
                .keyProvider(provider)
                .masterKeyId("k1")
                .dataKeyStore(store)
                .build()) {
            FieldContext row = FieldContext.of("E", "e", "c", "1");
            failCommits.set(true);
            // The scope key cannot be stored: nothing is sealed.
            assertThatThrownBy(() -> encryptor.seal("s", row, "v".getBytes(UTF_8)))
                    .isInstanceOf(DataKeyStoreException.class)
                    .hasMessage("cannot find or make a key in data key table keys_flaky (SQL state 08006)");
            assertThat(count(db, "select count(*) from keys_flaky")).isZero();

            failCommits.set(false);
            encryptor.seal("s", row, "v".getBytes(UTF_8));
            encryptor.discardEncryptionKeys();
            failCommits.set(true);
            // The scope key exists, a new data key cannot be stored: nothing is sealed either.
            assertThatThrownBy(() -> encryptor.seal("s", row, "v".getBytes(UTF_8)))
                    .isInstanceOf(DataKeyStoreException.class)
                    .hasMessage("cannot store a new data key in data key table keys_flaky (SQL state 08006)");
            assertThat(count(db, "select count(*) from keys_flaky")).isEqualTo(2);

            failCommits.set(false);
            byte[] sealed = encryptor.seal("s", row, "v".getBytes(UTF_8));

            long keyId = Envelope.parse(sealed).dataKeyId();
            assertThat(count(db, "select count(*) from keys_flaky where id = " + keyId))
                    .isEqualTo(1);
            assertThat(count(db, "select count(*) from keys_flaky")).isEqualTo(3);
            assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(2);
        }
    }

    private static FieldEncryptor newEncryptor(KeyProvider provider, ConnectionSource connections) {
        return FieldEncryptor.builder()
                .keyProvider(provider)
                .masterKeyId("k1")
                .dataKeyStore(DataKeyStores.postgres(connections, DataKeyStores.DEFAULT_TABLE, SchemaMode.CREATE))
                .build();
    }

    private static void insert(Connection connection, long id, byte[] ssn) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("insert into customer values (?, ?)")) {
            insert.setLong(1, id);
            insert.setBytes(2, ssn);
            insert.executeUpdate();
        }
    }

    private static int count(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
