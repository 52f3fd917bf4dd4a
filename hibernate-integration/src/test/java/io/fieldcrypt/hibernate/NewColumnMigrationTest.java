package io.fieldcrypt.hibernate;

import static io.fieldcrypt.hibernate.testing.Sql.execute;
import static io.fieldcrypt.hibernate.testing.Sql.number;
import static io.fieldcrypt.hibernate.testing.Sql.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Migrating typed plaintext columns into new encrypted columns ({@code @Encrypted(migrateFrom = ...)}): the schema
 * steps are metadata-only, legacy values read on every path while the new column is NULL, writes seal into the new
 * column and set the legacy one to NULL, {@code encryptExisting} moves the rest without losing a concurrent write,
 * and strict refuses what is left.
 */
@ExtendWith(TestPostgres.class)
class NewColumnMigrationTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    @Entity(name = "Client")
    @Table(name = "client")
    static class Client {
        @Id
        Long id;

        @Version
        int version;

        String name;

        @Encrypted(migrateFrom = "birth_date")
        @Column(name = "birth_date_enc")
        LocalDate birthDate;

        @Encrypted(migrateFrom = "balance")
        @Column(name = "balance_enc")
        BigDecimal balance;

        @Encrypted(storage = Encrypted.Storage.TEXT, migrateFrom = "email")
        @Column(name = "email_enc", length = 500)
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
        @Column(name = "email_bidx")
        String emailIndex;
    }

    private static final String LEGACY_TABLE = "create table client (id bigint primary key, version int not null,"
            + " name text, birth_date date not null, balance numeric(12, 2), email varchar(200))";

    /** The schema steps of docs/MIGRATION.md for a new column: metadata-only in PostgreSQL. */
    private static final String SCHEMA_STEPS = "alter table client add column birth_date_enc bytea,"
            + " add column balance_enc bytea, add column email_enc text, add column email_bidx bytea,"
            + " alter column birth_date drop not null";

    /** A legacy table of {@code rows} clients, the schema steps applied. */
    private static TestDatabase legacyClients(TestDatabase shared, String schema, int rows) throws SQLException {
        TestDatabase db = shared.newSchema(schema);
        execute(db, LEGACY_TABLE);
        execute(
                db,
                "insert into client (id, version, name, birth_date, balance, email) select i, 0, 'client ' || i,"
                        + " date '1980-01-01' + i, i * 1.25, 'User' || i || '@Example.org' from generate_series(1, "
                        + rows + ") i");
        execute(db, SCHEMA_STEPS);
        return db;
    }

    private static SessionFactory factory(TestDatabase db, Map<String, Object> extra) {
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        settings.putAll(extra);
        return Factories.build(db, settings, Client.class).unwrap(SessionFactory.class);
    }

    private static SessionFactory migrating(TestDatabase db) {
        return factory(db, Map.of(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "*"));
    }

    @Test
    void schemaSteps_doNotRewriteTheTable(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("newcol_relfilenode");
        execute(db, LEGACY_TABLE);
        execute(db, "insert into client select i, 0, 'c', date '2000-01-01', 1, 'e' from generate_series(1, 1000) i");
        long before = number(db, "select relfilenode from pg_class where oid = 'client'::regclass");

        execute(db, SCHEMA_STEPS);

        assertThat(number(db, "select relfilenode from pg_class where oid = 'client'::regclass"))
                .as("adding nullable columns and dropping NOT NULL rewrite nothing")
                .isEqualTo(before);
    }

    @Test
    void legacyValues_readOnEveryPath_countedAsPlaintextReads(TestDatabase shared) throws SQLException {
        TestDatabase db = legacyClients(shared, "newcol_read", 3);
        execute(db, "update client set balance = null where id = 3");
        try (SessionFactory factory = migrating(db)) {
            Client loaded = factory.fromTransaction(s -> s.find(Client.class, 2L));
            List<Object[]> projected = factory.fromTransaction(s -> s.createSelectionQuery(
                            "select c.birthDate, c.balance, c.email from Client c order by c.id", Object[].class)
                    .getResultList());
            Client stateless = factory.fromStatelessTransaction(s -> s.get(Client.class, 1L));

            assertThat(loaded.birthDate).isEqualTo(LocalDate.of(1980, 1, 3));
            assertThat(loaded.balance).isEqualByComparingTo("2.50");
            assertThat(loaded.email).isEqualTo("User2@Example.org");
            assertThat(projected.get(0))
                    .containsExactly(LocalDate.of(1980, 1, 2), new BigDecimal("1.25"), "User1@Example.org");
            assertThat(projected.get(2)[1]).isNull();
            assertThat(stateless.birthDate).isEqualTo(LocalDate.of(1980, 1, 2));
            assertThat(FieldCrypt.of(factory).plaintextReads())
                    .containsEntry("Client.birthDate", 5L)
                    .containsEntry("Client.email", 5L);
            assertThat(FieldCrypt.of(factory).status().plaintextValues())
                    .containsEntry("Client.birthDate", 3L)
                    .containsEntry("Client.balance", 2L);
            assertThat(factory.getStatistics().getEntityUpdateCount())
                    .as("reading legacy plaintext writes nothing")
                    .isZero();
        }
    }

    @Test
    void writes_sealIntoTheNewColumn_andSetTheLegacyColumnToNull(TestDatabase shared) throws SQLException {
        TestDatabase db = legacyClients(shared, "newcol_write", 3);
        try (SessionFactory factory = migrating(db)) {
            factory.inTransaction(s -> s.find(Client.class, 1L).name = "renamed");
            factory.inTransaction(s -> s.find(Client.class, 2L).birthDate = null);
            factory.inTransaction(s -> {
                Client added = new Client();
                added.id = 4L;
                added.birthDate = LocalDate.of(2001, 2, 3);
                added.email = "new@example.org";
                s.persist(added);
            });

            assertThat(row(db, 1))
                    .as("an update writes every column: all three sealed, the legacy ones NULL")
                    .isEqualTo("birth_date=null balance=null email=null birth_date_enc=sealed balance_enc=sealed"
                            + " email_enc=sealed");
            assertThat(row(db, 2)).startsWith("birth_date=null balance=null email=null birth_date_enc=null");
            assertThat(row(db, 4)).startsWith("birth_date=null balance=null email=null birth_date_enc=sealed");
            Client renamed = factory.fromTransaction(s -> s.find(Client.class, 1L));
            Client nulled = factory.fromTransaction(s -> s.find(Client.class, 2L));
            assertThat(renamed.birthDate).isEqualTo(LocalDate.of(1980, 1, 2));
            assertThat(renamed.balance).isEqualByComparingTo("1.25");
            assertThat(renamed.email).isEqualTo("User1@Example.org");
            assertThat(renamed.version).isEqualTo(1);
            assertThat(nulled.birthDate).as("a value set to null stays null").isNull();
            assertThat(number(db, "select count(*) from client where email_enc like 'fc1:%'"))
                    .isEqualTo(3);
        }
    }

    /** Native SQL reads the new column bare: a row loaded that way and written must keep its legacy value. */
    @Test
    void entityLoadedByNativeSql_andUpdated_keepsItsLegacyValue(TestDatabase shared) throws SQLException {
        TestDatabase db = legacyClients(shared, "newcol_native", 1);
        try (SessionFactory factory = migrating(db)) {
            factory.inTransaction(s -> s.createNativeQuery("select * from client where id = 1", Client.class)
                    .getSingleResult()
                    .name = "renamed by native");

            Client reread = factory.fromTransaction(s -> s.find(Client.class, 1L));
            assertThat(reread.name).isEqualTo("renamed by native");
            assertThat(reread.birthDate).isEqualTo(LocalDate.of(1980, 1, 2));
            assertThat(reread.email).isEqualTo("User1@Example.org");
        }
    }

    @Test
    void sealedValueThatFailsToOpen_isRefused_neverReadFromTheLegacyColumn(TestDatabase shared) throws SQLException {
        TestDatabase db = legacyClients(shared, "newcol_tamper", 2);
        try (SessionFactory factory = migrating(db)) {
            factory.inTransaction(s -> s.find(Client.class, 1L).name = "sealed");
            execute(
                    db,
                    "update client set birth_date = date '1999-09-09', birth_date_enc = "
                            + "(select birth_date_enc from client where id = 1) where id = 2");

            assertThatThrownBy(() -> factory.fromTransaction(s -> s.find(Client.class, 2L)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageNotContaining("1999");
        }
    }

    /**
     * The job seals every legacy value into its new column with its blind index, sets the legacy columns to NULL,
     * leaves versions alone, and resumes after a stop without sealing a row twice.
     */
    @Test
    void encryptExisting_movesEverything_resumes_keepsVersions_writesIndexes(TestDatabase shared) throws SQLException {
        TestDatabase db = legacyClients(shared, "newcol_job", 120);
        try (SessionFactory factory = migrating(db)) {
            FieldCrypt.of(factory).backfillBlindIndexes(ReEncryptOptions.defaults());
            assertThat(idsByEmail(factory, "user33@example.org"))
                    .as("found through the index while still plaintext")
                    .containsExactly(33L);
            RuntimeException stop = new RuntimeException("stopped");
            AtomicInteger batches = new AtomicInteger();
            ReEncryptOptions stopping = ReEncryptOptions.defaults()
                    .withJobName("migrate")
                    .withBatchSize(25)
                    .withProgress(p -> {
                        if (batches.incrementAndGet() == 2) {
                            throw stop;
                        }
                    });

            assertThatThrownBy(() -> FieldCrypt.of(factory).encryptExisting(stopping))
                    .isSameAs(stop);
            EncryptExistingReport resumed = FieldCrypt.of(factory)
                    .encryptExisting(
                            ReEncryptOptions.defaults().withJobName("migrate").withBatchSize(25));

            assertThat(resumed.scanned())
                    .as("the first attribute's 50 rows of the stopped run are not read again; the others' 120 are")
                    .isEqualTo(70 + 120 + 120);
            assertThat(resumed.encrypted()).isEqualTo(resumed.scanned());
            assertThat(resumed.remaining()).isZero();
            assertThat(number(
                            db,
                            "select count(*) from client where birth_date is not null or balance is not null"
                                    + " or email is not null"))
                    .as("a raw scan finds no plaintext")
                    .isZero();
            assertThat(number(db, "select count(*) from client where birth_date_enc is null or email_bidx is null"))
                    .isZero();
            assertThat(number(db, "select count(*) from client where version <> 0"))
                    .isZero();
            assertThat(idsByEmail(factory, "USER77@example.org")).containsExactly(77L);
            Client client = factory.fromTransaction(s -> s.find(Client.class, 5L));
            assertThat(client.birthDate).isEqualTo(LocalDate.of(1980, 1, 6));
            assertThat(client.balance).isEqualByComparingTo("6.25");
            assertThat(client.email).isEqualTo("User5@Example.org");
            assertThat(FieldCrypt.of(factory).status().plaintextValues())
                    .containsOnlyKeys("Client.birthDate", "Client.balance", "Client.email")
                    .allSatisfy((attribute, left) -> assertThat(left).isZero());
        }
    }

    @Test
    void encryptExisting_withAWriterRunning_losesNoConcurrentUpdate(TestDatabase shared) throws Exception {
        TestDatabase db = legacyClients(shared, "newcol_writer", 300);
        try (SessionFactory factory = migrating(db)) {
            Map<Long, LocalDate> expected = new ConcurrentHashMap<>();
            for (long i = 1; i <= 300; i++) {
                expected.put(i, LocalDate.of(1980, 1, 1).plusDays(i));
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                java.util.Random random = new java.util.Random(7);
                int n = 0;
                while (!stop.get()) {
                    long id = 1 + random.nextInt(300);
                    LocalDate date = LocalDate.of(2020, 1, 1).plusDays(n++);
                    try {
                        factory.inTransaction(s -> s.find(Client.class, id).birthDate = date);
                        expected.put(id, date);
                    } catch (RuntimeException e) {
                        failure.set(e);
                        return;
                    }
                }
            });
            writer.start();
            try {
                FieldCrypt.of(factory)
                        .encryptExisting(
                                ReEncryptOptions.defaults().withBatchSize(20).withMaxRowsPerSecond(2_000));
            } finally {
                stop.set(true);
                writer.join();
            }

            assertThat(failure.get()).isNull();
            assertThat(number(db, "select count(*) from client where birth_date is not null"))
                    .isZero();
            Map<Long, LocalDate> stored = new java.util.HashMap<>();
            factory.fromTransaction(s ->
                            s.createSelectionQuery("from Client", Client.class).getResultList())
                    .forEach(c -> stored.put(c.id, c.birthDate));
            assertThat(stored).isEqualTo(expected);
        }
    }

    /**
     * Strict with legacy values left refuses to boot; after the job it boots, and a legacy value written by SQL
     * afterwards fails to load.
     */
    @Test
    void strict_refusesToBootWithValuesLeft_andRefusesLegacyValuesAfterTheSwitch(TestDatabase shared)
            throws SQLException {
        TestDatabase db = legacyClients(shared, "newcol_strict", 2);
        execute(db, "update client set balance = null, email = null");

        assertThatThrownBy(() -> factory(db, Map.of()))
                .satisfies(thrown -> assertThat(rootCause(thrown))
                        .isInstanceOf(ConfigurationException.class)
                        .hasMessageStartingWith(
                                "Client.birthDate is strict, but the column it migrates from, client.birth_date,"
                                        + " holds 2 value(s)")
                        .hasMessageEndingWith("Keep fieldcrypt.migration.read-plaintext=Client.birthDate until"
                                + " FieldCrypt.status() reports none left"));
        try (SessionFactory factory = migrating(db)) {
            FieldCrypt.of(factory).encryptExisting();
        }
        try (SessionFactory strict = factory(db, Map.of())) {
            execute(db, "update client set birth_date = date '1999-09-09', birth_date_enc = null where id = 2");

            assertThatThrownBy(() -> strict.fromTransaction(s -> s.find(Client.class, 2L)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageStartingWith("cannot decrypt Client.birthDate of Client#2: its column birth_date_enc is"
                            + " NULL and the column it migrates from, birth_date, holds a value; 1 value(s)")
                    .hasMessageContaining("fieldcrypt.migration.read-plaintext=Client.birthDate")
                    .hasMessageNotContaining("1999");
        }
    }

    @Test
    void preflight_refusesValuesThatCannotBeReadBack_beforeWritingAnything(TestDatabase shared) throws SQLException {
        TestDatabase db = legacyClients(shared, "newcol_preflight", 2);
        execute(db, "update client set birth_date = 'infinity' where id = 2");
        try (SessionFactory factory = migrating(db)) {
            assertThatThrownBy(() -> FieldCrypt.of(factory).encryptExisting())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith(
                            "cannot encrypt Client.birthDate: 1 value(s) of client.birth_date are no" + " LocalDate");
            assertThat(number(db, "select count(*) from client where birth_date_enc is not null"))
                    .as("nothing was written")
                    .isZero();
            assertThatThrownBy(() -> factory.fromTransaction(s -> s.find(Client.class, 2L)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("is not a LocalDate fieldcrypt can read");
        }
    }

    @Test
    void legacyColumnMissing_notNull_orOfAnotherType_refusedAtBoot(TestDatabase shared) throws SQLException {
        TestDatabase missing = shared.newSchema("newcol_missing");
        TestDatabase notNull = legacyClients(shared, "newcol_notnull", 0);
        execute(notNull, "alter table client alter column birth_date set not null");
        TestDatabase otherType = legacyClients(shared, "newcol_type", 0);
        execute(otherType, "alter table client alter column birth_date type varchar(20)");

        assertThatThrownBy(() -> migrating(missing))
                .satisfies(thrown -> assertThat(rootCause(thrown))
                        .isInstanceOf(ConfigurationException.class)
                        .hasMessageMatching(
                                "@Encrypted\\(migrateFrom = \\.\\.\\.\\) on Client\\.\\w+: the column client\\.\\w+"
                                        + " does not exist; .*"));
        assertThatThrownBy(() -> migrating(notNull))
                .satisfies(thrown -> assertThat(rootCause(thrown))
                        .hasMessageEndingWith("alter table client alter column birth_date drop not null"));
        assertThatThrownBy(() -> migrating(otherType))
                .satisfies(thrown -> assertThat(rootCause(thrown))
                        .hasMessageContaining(
                                "has type varchar, which fieldcrypt does not read as a LocalDate (expected one of"
                                        + " [date])"));
    }

    private static List<Long> idsByEmail(SessionFactory factory, String email) {
        return factory.fromTransaction(
                s -> s.createSelectionQuery("select c.id from Client c where c.emailIndex = :e", Long.class)
                        .setParameter("e", email)
                        .getResultList());
    }

    /** Which of a row's legacy columns are NULL, and whether its new columns hold sealed values. */
    private static String row(TestDatabase db, long id) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select birth_date, balance, email, birth_date_enc, balance_enc,"
                        + " email_enc from client where id = " + id)) {
            rs.next();
            StringBuilder out = new StringBuilder();
            for (int i = 1; i <= 6; i++) {
                Object value = rs.getObject(i);
                out.append(i == 1 ? "" : " ")
                        .append(rs.getMetaData().getColumnName(i))
                        .append('=')
                        .append(value == null ? "null" : i <= 3 ? "plaintext" : "sealed");
            }
            return out.toString();
        }
    }
}
