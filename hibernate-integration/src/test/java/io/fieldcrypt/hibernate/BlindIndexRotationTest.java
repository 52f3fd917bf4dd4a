package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rotating a blind index by settings alone — a second column written alongside, a resumable backfill, a read switch,
 * the old column dropped — while an application writes: every row is found at every step, with instances on old
 * and new settings side by side.
 */
@ExtendWith(TestPostgres.class)
class BlindIndexRotationTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static final String PREFIX = FieldCryptSettings.BLIND_INDEX_PREFIX + "Account.emailIndex.";

    @Entity(name = "Account")
    @Table(name = "account")
    static class Account {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE)
        Long id;

        @Encrypted
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
        @Column(name = "email_bidx")
        String emailIndex;
    }

    /**
     * The application: inserts and updates accounts on the factory it is given, and remembers what it committed. It
     * writes only as many times as it is allowed ({@link #allow}), so the checks stay bounded however slow the machine.
     */
    private static final class Writer implements Runnable {
        final java.util.concurrent.Semaphore allowed = new java.util.concurrent.Semaphore(0);
        final AtomicReference<SessionFactory> factory = new AtomicReference<>();
        final Map<Long, String> committed = new ConcurrentHashMap<>();
        /** The rows this writer inserted, the only ones it changes (the seeded rows stay as they are). */
        final List<Long> own = new java.util.concurrent.CopyOnWriteArrayList<>();

        final AtomicInteger writes = new AtomicInteger();
        volatile boolean stop;
        volatile Throwable failure;

        @Override
        public void run() {
            try {
                while (!stop) {
                    if (!allowed.tryAcquire(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    SessionFactory sf = factory.get();
                    int n = writes.incrementAndGet();
                    if (n % 3 == 0 && !own.isEmpty()) {
                        Long id = own.get(ThreadLocalRandom.current().nextInt(own.size()));
                        String email = "Changed" + n + "@Example.org";
                        sf.inTransaction(s -> s.find(Account.class, id).email = email);
                        committed.put(id, email);
                    } else {
                        Account account = new Account();
                        account.email = "writer" + n + "@example.org";
                        sf.inTransaction(s -> s.persist(account));
                        committed.put(account.id, account.email);
                        own.add(account.id);
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    @Test
    void rotationWithAWriterRunning_findsEveryRowAtEveryStep_andTheBackfillResumesAfterAStop(TestDatabase shared)
            throws Exception {
        TestDatabase db = shared.newSchema("bidx_rotation");
        Map<Long, String> seeded = new HashMap<>();
        List<SessionFactory> open = new ArrayList<>();
        Writer writer = new Writer();
        Thread thread = new Thread(writer, "writer");
        try {
            SessionFactory v0 = factory(db, Map.of(), open);
            v0.inTransaction(s -> {
                for (int i = 0; i < 300; i++) {
                    Account account = new Account();
                    account.email = "Seed" + i + "@Example.org";
                    s.persist(account);
                    seeded.put(account.id, account.email);
                }
            });
            writer.committed.putAll(seeded);

            // 1. Add the next column, and deploy settings that write both indexes.
            execute(db, "alter table account add column email_bidx_v2 bytea");
            Map<String, Object> writeBoth =
                    Map.of(PREFIX + "next.column", "email_bidx_v2", PREFIX + "next.transform", "TRIM_CASEFOLD");
            SessionFactory v1 = factory(db, writeBoth, open);
            writer.factory.set(v1);
            thread.start();
            awaitWrites(writer, 30);
            assertEveryRowFound(v0, writer, "v0 reads the current index");
            assertEveryRowFound(v1, writer, "v1 reads the current index");

            // 2. Backfill the next index while the application writes; the first run is stopped after two batches and
            // resumed.
            writer.allowed.release(60);
            RuntimeException stop = new RuntimeException("stopped");
            AtomicInteger batches = new AtomicInteger();
            ReEncryptOptions stopping = ReEncryptOptions.defaults()
                    .withJobName("rotation")
                    .withBatchSize(50)
                    .withProgress(p -> {
                        if (batches.incrementAndGet() == 2) {
                            throw stop;
                        }
                    });
            assertThatThrownBy(() -> FieldCrypt.of(v1).rebuildBlindIndexes(stopping))
                    .isSameAs(stop);
            BlindIndexRebuildReport resumed = FieldCrypt.of(v1)
                    .rebuildBlindIndexes(
                            ReEncryptOptions.defaults().withJobName("rotation").withBatchSize(50));
            assertThat(resumed.scanned())
                    .as("the resumed run starts after the stopped one's last batch")
                    .isLessThan(writer.committed.size());
            assertThat(resumed.unreadable()).isZero();

            // 3. Switch reads to the next index; instances on both settings run side by side.
            Map<String, Object> readNext = new HashMap<>(writeBoth);
            readNext.put(PREFIX + "read", "next");
            SessionFactory v2 = factory(db, readNext, open);
            writer.factory.set(v2);
            awaitWrites(writer, 30);
            assertEveryRowFound(v1, writer, "v1 reads the current index");
            assertEveryRowFound(v2, writer, "v2 reads the next index");
            assertThat(ids(v2, "  seed7@example.ORG "))
                    .as("the next transform trims")
                    .containsExactly(id(seeded, 7));

            // 4. Make the next index the only one, then drop the old column.
            SessionFactory v3 = factory(
                    db, Map.of(PREFIX + "column", "email_bidx_v2", PREFIX + "transform", "TRIM_CASEFOLD"), open);
            writer.factory.set(v3);
            awaitWrites(writer, 30);
            assertEveryRowFound(v2, writer, "v2 reads the next index");
            assertEveryRowFound(v3, writer, "v3 reads its only index");
            writer.stop = true;
            thread.join();
            assertThat(writer.failure).isNull();
            close(open.subList(0, 3));
            Account late = new Account();
            late.email = "late@example.org";
            v3.inTransaction(s -> s.persist(late));
            assertThat(RawColumns.read(db, "account", "email_bidx", late.id))
                    .as("the old column is no longer written")
                    .isNull();
            execute(db, "alter table account drop column email_bidx");
            SessionFactory cold = factory(
                    db, Map.of(PREFIX + "column", "email_bidx_v2", PREFIX + "transform", "TRIM_CASEFOLD"), open);
            writer.committed.put(late.id, late.email);
            assertEveryRowFound(cold, writer, "a cold factory after the old column is gone");
            assertThat(FieldCrypt.of(cold).rebuildBlindIndexes().written())
                    .as("no rotation configured: nothing to do")
                    .isZero();
        } finally {
            writer.stop = true;
            if (thread.isAlive()) {
                thread.join();
            }
            close(open);
        }
    }

    @Test
    void misspeltOrInconsistentSettings_refusedAtBoot(TestDatabase shared) {
        TestDatabase db = shared.newSchema("bidx_rotation_settings");
        assertThatThrownBy(() -> factory(
                        db,
                        Map.of(FieldCryptSettings.BLIND_INDEX_PREFIX + "Acount.emailIndex.read", "next"),
                        new ArrayList<>()))
                .hasRootCauseInstanceOf(ConfigurationException.class)
                .rootCause()
                .hasMessageStartingWith("fieldcrypt.blind-index.Acount.emailIndex.read names no blind index setting of"
                        + " this factory")
                .hasMessageEndingWith("where the handles are [Account.emailIndex]");
        assertThatThrownBy(() -> factory(db, Map.of(PREFIX + "read", "next"), new ArrayList<>()))
                .rootCause()
                .hasMessageStartingWith(PREFIX + "read=next, but no next index is configured");
        assertThatThrownBy(() -> factory(db, Map.of(PREFIX + "next.column", "email_bidx"), new ArrayList<>()))
                .rootCause()
                .hasMessageStartingWith(PREFIX + "next.column names email_bidx, the column the index has now");
        assertThatThrownBy(() -> factory(db, Map.of(PREFIX + "next.transform", "CASEFOLD"), new ArrayList<>()))
                .rootCause()
                .hasMessage(PREFIX + "next.transform is set but " + PREFIX + "next.column is not: a next index needs"
                        + " a column of its own");
        assertThatThrownBy(() -> factory(db, Map.of(PREFIX + "bits", "512"), new ArrayList<>()))
                .rootCause()
                .hasMessage(PREFIX + "bits must be a whole number from 1 to 256, got '512'");
    }

    private static SessionFactory factory(TestDatabase db, Map<String, Object> extra, List<SessionFactory> open) {
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        settings.putAll(extra);
        SessionFactory sf = Factories.build(db, settings, Account.class).unwrap(SessionFactory.class);
        open.add(sf);
        return sf;
    }

    private static void awaitWrites(Writer writer, int more) throws InterruptedException {
        int target = writer.writes.get() + more;
        writer.allowed.release(more);
        while (writer.writes.get() < target && writer.failure == null) {
            Thread.sleep(5);
        }
        assertThat(writer.failure).isNull();
    }

    /** Every committed email finds its row, in another case; a concurrent change may move a row to a newer email. */
    private static void assertEveryRowFound(SessionFactory sf, Writer writer, String step) {
        Map<Long, String> snapshot = new HashMap<>(writer.committed);
        List<String> missing = new ArrayList<>();
        snapshot.forEach((id, email) -> {
            if (!ids(sf, email.toUpperCase(java.util.Locale.ROOT)).contains(id)
                    && email.equals(writer.committed.get(id))) {
                missing.add(id + "=" + email);
            }
        });
        assertThat(missing).as(step).isEmpty();
        assertThat(snapshot).as(step).hasSizeGreaterThan(300);
    }

    private static List<Long> ids(SessionFactory sf, String email) {
        return sf.fromTransaction(
                s -> s.createSelectionQuery("select a.id from Account a where a.emailIndex = :e", Long.class)
                        .setParameter("e", email)
                        .getResultList());
    }

    private static Long id(Map<Long, String> seeded, int i) {
        return seeded.entrySet().stream()
                .filter(e -> e.getValue().equals("Seed" + i + "@Example.org"))
                .findFirst()
                .orElseThrow()
                .getKey();
    }

    private static void execute(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void close(List<SessionFactory> factories) {
        for (SessionFactory sf : factories) {
            if (sf.isOpen()) {
                sf.close();
            }
        }
    }
}
