package io.fieldcrypt.hibernate;

import static io.fieldcrypt.hibernate.testing.Sql.execute;
import static io.fieldcrypt.hibernate.testing.Sql.number;
import static io.fieldcrypt.hibernate.testing.Sql.rootCause;
import static io.fieldcrypt.hibernate.testing.Sql.text;
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
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A text column that held plaintext, now {@code @Encrypted} in place: with
 * {@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT} its unmarked values read as the legacy plaintext (counted) and
 * are sealed when written; a marked value that fails to open is a tamper error; strict (the default) refuses them.
 */
@ExtendWith(TestPostgres.class)
class PlaintextMigrationTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    @Entity(name = "Contact")
    @Table(name = "contact")
    static class Contact {
        @Id
        Long id;

        String name;

        @Encrypted(storage = Encrypted.Storage.TEXT)
        @Column(length = 500)
        String email;
    }

    /** A versioned entity with a blind index over the attribute being migrated. */
    @Entity(name = "Member")
    @Table(name = "member")
    static class Member {
        @Id
        Long id;

        @jakarta.persistence.Version
        int version;

        @Encrypted(storage = Encrypted.Storage.TEXT)
        @Column(length = 500)
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
        @Column(name = "email_bidx")
        String emailIndex;
    }

    /** A column too narrow for the sealed form of its values. */
    @Entity(name = "Narrow")
    @Table(name = "narrow")
    static class Narrow {
        @Id
        Long id;

        @Encrypted(storage = Encrypted.Storage.TEXT)
        @Column(length = 40)
        String code;
    }

    private static SessionFactory factory(TestDatabase db, Map<String, Object> extra) {
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        settings.putAll(extra);
        return Factories.build(db, settings, Contact.class, Member.class, Narrow.class)
                .unwrap(SessionFactory.class);
    }

    @Test
    void readPlaintext_legacyValuesReadAndCounted_writesSeal_tamperedMarkedValueRefused(TestDatabase shared)
            throws SQLException {
        TestDatabase db = shared.newSchema("migration_read");
        try (SessionFactory migrating =
                factory(db, Map.of(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "Contact.email"))) {
            execute(
                    db,
                    "insert into contact (id, name, email) values (1, 'Ada', 'ada@example.org'),"
                            + " (2, 'Bea', 'bea@example.org'), (3, 'Cy', null)");

            Contact ada = migrating.fromTransaction(s -> s.find(Contact.class, 1L));
            List<String> projected = migrating.fromTransaction(s -> s.createSelectionQuery(
                            "select c.email from Contact c where c.email is not null order by c.id", String.class)
                    .getResultList());
            assertThat(ada.email).isEqualTo("ada@example.org");
            assertThat(projected).containsExactly("ada@example.org", "bea@example.org");
            assertThat(FieldCrypt.of(migrating).plaintextReads()).containsEntry("Contact.email", 3L);
            assertThat(FieldCrypt.of(migrating).status().plaintextValues()).containsEntry("Contact.email", 2L);
            assertThat(migrating.getStatistics().getEntityUpdateCount())
                    .as("reading legacy plaintext writes nothing")
                    .isZero();

            migrating.inTransaction(s -> s.find(Contact.class, 1L).name = "Ada L.");
            assertThat(column(db, 1)).as("a write seals").startsWith("fc1:").doesNotContain("ada");
            assertThat(FieldCrypt.of(migrating).status().plaintextValues()).containsEntry("Contact.email", 1L);
            Contact reread = migrating.fromTransaction(s -> s.find(Contact.class, 1L));
            assertThat(reread.email).isEqualTo("ada@example.org");

            execute(db, "update contact set email = 'fc1:AAAA' where id = 2");
            assertThatThrownBy(() -> migrating.fromTransaction(s -> s.find(Contact.class, 2L)))
                    .as("a marked value that fails to open is never plaintext")
                    .isInstanceOf(DecryptionException.class);
        }
    }

    @Test
    void strict_unmarkedValueRefused_namingTheCountAndTheSetting(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("migration_strict");
        try (SessionFactory strict = factory(db, Map.of())) {
            execute(
                    db,
                    "insert into contact (id, name, email) values (1, 'Ada', 'ada@example.org'),"
                            + " (2, 'Bea', 'bea@example.org')");

            assertThatThrownBy(() -> strict.fromTransaction(s -> s.find(Contact.class, 1L)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageStartingWith("cannot decrypt Contact.email of Contact#1: the stored value has no"
                            + " envelope marker (fc1:)")
                    .hasMessageContaining("2 value(s) of contact.email are like it")
                    .hasMessageEndingWith("fieldcrypt.migration.read-plaintext=Contact.email")
                    .hasMessageNotContaining("ada@");
        }
    }

    /** Switching back to strict while plaintext is left refuses to boot, naming the attribute and the count. */
    @Test
    void strictWithPlaintextLeft_refusedAtBoot(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("migration_switch");
        factory(db, Map.of(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "*")).close();
        execute(db, "insert into contact (id, name, email) values (1, 'Ada', 'ada@example.org')");

        assertThatThrownBy(() -> factory(db, Map.of())).satisfies(thrown -> {
            assertThat(rootCause(thrown))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("Contact.email is strict, but contact.email holds 1 value(s)"
                            + " without the envelope marker (fc1:)")
                    .hasMessageNotContaining("ada@");
        });
    }

    /**
     * The job seals every plaintext value with its blind index, leaves versions as they are, and resumes after a stop
     * without sealing a row twice; afterwards a raw scan finds no plaintext and lookups find every row.
     */
    @Test
    void encryptExisting_sealsEverythingOnce_resumes_keepsVersions_writesIndexes(TestDatabase shared)
            throws SQLException {
        TestDatabase db = shared.newSchema("migration_job");
        try (SessionFactory migrating =
                factory(db, Map.of(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "Member.email"))) {
            execute(
                    db,
                    "insert into member (id, version, email) select i, 0, 'user' || i || '@example.org'"
                            + " from generate_series(1, 120) i");
            BlindIndexRebuildReport backfill =
                    FieldCrypt.of(migrating).backfillBlindIndexes(ReEncryptOptions.defaults());
            List<Long> beforeSealing = migrating.fromTransaction(
                    s -> s.createSelectionQuery("select m.id from Member m where m.emailIndex = :e", Long.class)
                            .setParameter("e", "User33@Example.org")
                            .getResultList());
            assertThat(backfill.written()).isEqualTo(120);
            assertThat(beforeSealing)
                    .as("found through the index while still plaintext")
                    .containsExactly(33L);
            assertThat(number(db, "select count(*) from member where email like 'fc1:%'"))
                    .isZero();
            RuntimeException stop = new RuntimeException("stopped");
            java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
            ReEncryptOptions stopping = ReEncryptOptions.defaults()
                    .withJobName("migrate")
                    .withBatchSize(25)
                    .withProgress(p -> {
                        if (batches.incrementAndGet() == 2) {
                            throw stop;
                        }
                    });

            assertThatThrownBy(() -> FieldCrypt.of(migrating).encryptExisting(stopping))
                    .isSameAs(stop);
            EncryptExistingReport resumed = FieldCrypt.of(migrating)
                    .encryptExisting(
                            ReEncryptOptions.defaults().withJobName("migrate").withBatchSize(25));

            assertThat(resumed.scanned())
                    .as("the stopped run's 50 rows are not sealed again")
                    .isEqualTo(70);
            assertThat(resumed.encrypted()).isEqualTo(70);
            assertThat(resumed.remaining()).isZero();
            assertThat(number(db, "select count(*) from member where email not like 'fc1:%'"))
                    .isZero();
            assertThat(number(db, "select count(*) from member where email_bidx is null"))
                    .isZero();
            assertThat(number(db, "select count(*) from member where version <> 0"))
                    .isZero();
            List<Long> found = migrating.fromTransaction(
                    s -> s.createSelectionQuery("select m.id from Member m where m.emailIndex = :e", Long.class)
                            .setParameter("e", "USER77@example.org")
                            .getResultList());
            assertThat(found).containsExactly(77L);
            Member member = migrating.fromTransaction(s -> s.find(Member.class, 5L));
            assertThat(member.email).isEqualTo("user5@example.org");
            assertThat(FieldCrypt.of(migrating).status().plaintextValues()).containsEntry("Member.email", 0L);
        }
    }

    /** An application writing while the job runs loses none of its updates: its writes win the compare-and-set. */
    @Test
    void encryptExisting_withAWriterRunning_losesNoConcurrentUpdate(TestDatabase shared) throws Exception {
        TestDatabase db = shared.newSchema("migration_writer");
        try (SessionFactory migrating =
                factory(db, Map.of(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "Member.email"))) {
            execute(
                    db,
                    "insert into member (id, version, email) select i, 0, 'user' || i || '@example.org'"
                            + " from generate_series(1, 400) i");
            Map<Long, String> expected = new java.util.concurrent.ConcurrentHashMap<>();
            for (long i = 1; i <= 400; i++) {
                expected.put(i, "user" + i + "@example.org");
            }
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = new Thread(() -> {
                java.util.Random random = new java.util.Random(7);
                int n = 0;
                while (!stop.get()) {
                    long id = 1 + random.nextInt(400);
                    String email = "changed" + n++ + "@example.org";
                    try {
                        migrating.inTransaction(s -> s.find(Member.class, id).email = email);
                        expected.put(id, email);
                    } catch (RuntimeException e) {
                        failure.set(e);
                        return;
                    }
                }
            });
            writer.start();
            EncryptExistingReport report;
            try {
                report = FieldCrypt.of(migrating)
                        .encryptExisting(
                                ReEncryptOptions.defaults().withBatchSize(20).withMaxRowsPerSecond(2_000));
            } finally {
                stop.set(true);
                writer.join();
            }

            assertThat(failure.get()).isNull();
            assertThat(report.encrypted() + report.skipped()).isLessThanOrEqualTo(report.scanned());
            assertThat(number(db, "select count(*) from member where email not like 'fc1:%'"))
                    .isZero();
            Map<Long, String> stored = new java.util.HashMap<>();
            migrating
                    .fromTransaction(s ->
                            s.createSelectionQuery("from Member", Member.class).getResultList())
                    .forEach(m -> stored.put(m.id, m.email));
            assertThat(stored).isEqualTo(expected);
        }
    }

    /** The preflight refuses plaintext that looks like an envelope, and values that would not fit once sealed. */
    @Test
    void preflight_refusesMarkerLookalikesAndColumnsTooNarrow_beforeWritingAnything(TestDatabase shared)
            throws SQLException {
        TestDatabase db = shared.newSchema("migration_preflight");
        try (SessionFactory migrating = factory(db, Map.of(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "*"))) {
            execute(
                    db,
                    "insert into contact (id, name, email) values (1, 'Ada', 'fc1:not-an-envelope'),"
                            + " (2, 'Bea', 'bea@example.org')");
            execute(db, "insert into narrow (id, code) values (1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123')");

            assertThatThrownBy(() -> FieldCrypt.of(migrating).encryptExisting())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("cannot encrypt Contact.email: 1 value(s) of contact.email start"
                            + " with the envelope marker fc1: without being envelopes");
            assertThat(column(db, 2)).as("nothing was written").isEqualTo("bea@example.org");

            execute(db, "update contact set email = 'ada@example.org' where id = 1");
            assertThatThrownBy(() -> FieldCrypt.of(migrating).preflightEncryptExisting())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("cannot encrypt Narrow.code: 1 value(s) of narrow.code would not fit the"
                            + " column once sealed")
                    .hasMessageEndingWith("alter table narrow alter column code type text");
            execute(db, "alter table narrow alter column code type text");
            assertThat(FieldCrypt.of(migrating).encryptExisting().remaining()).isZero();
        }
    }

    @Test
    void readPlaintextNamingNoEncryptedAttribute_refusedAtBoot(TestDatabase shared) {
        TestDatabase db = shared.newSchema("migration_unknown");
        assertThatThrownBy(() -> factory(db, Map.of(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "Contact.name")))
                .satisfies(thrown -> {
                    assertThat(rootCause(thrown))
                            .isInstanceOf(ConfigurationException.class)
                            .hasMessageStartingWith("fieldcrypt.migration.read-plaintext lists Contact.name, which is"
                                    + " no @Encrypted attribute of this factory");
                });
    }

    private static String column(TestDatabase db, long id) throws SQLException {
        return text(db, "select email from contact where id = " + id);
    }
}
