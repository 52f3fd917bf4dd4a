package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Data key rotation, re-encryption and crypto-shredding, end to end on real PostgreSQL. */
@ExtendWith(TestPostgres.class)
class RotationTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    private final TestDatabase db;

    RotationTest(TestDatabase db) {
        this.db = db;
    }

    private static SessionFactory factory(TestDatabase database) {
        return Factories.build(database, Factories.local(KEYS, "k1"), Patient.class)
                .unwrap(SessionFactory.class);
    }

    private static Patient patient(int i) {
        Patient patient = new Patient(
                "p" + i,
                "id-" + i,
                "p" + i + "@example.org",
                LocalDate.of(1980, 1, 1).plusDays(i),
                BigDecimal.valueOf(i, 2));
        patient.insuranceNumber = i % 2 == 0 ? "INS-" + i : null;
        return patient;
    }

    private static List<Long> seed(SessionFactory sf, int from, int count) {
        return sf.fromTransaction(s -> {
            List<Long> ids = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                Patient patient = patient(i);
                s.persist(patient);
                ids.add(patient.id);
            }
            return ids;
        });
    }

    private static Map<Long, String> nationalIds(SessionFactory sf) {
        Map<Long, String> values = new HashMap<>();
        sf.inTransaction(s -> s.createSelectionQuery("from Patient", Patient.class)
                .getResultList()
                .forEach(p -> values.put(
                        p.id,
                        p.nationalId + "|" + p.email + "|" + p.insuranceNumber + "|" + p.dateOfBirth + "|" + p.balance
                                + "|v" + p.version)));
        return values;
    }

    @Test
    void rotateReEncryptDestroy_everyValueReadsBackAndNoRetiredKeyRemains() throws SQLException {
        TestDatabase area = db.newSchema("rotation");
        try (SessionFactory sf = factory(area)) {
            seed(sf, 0, 60);
            Map<Long, String> before = nationalIds(sf);
            FieldCrypt admin = FieldCrypt.of(sf);

            assertThat(admin.rotateDataKeys().retired()).isEqualTo(5);
            seed(sf, 60, 5);
            assertThat(admin.status().valuesUnderRetiredKeys())
                    .containsEntry("Patient.nationalId", 60L)
                    .containsEntry("Patient.insuranceNumber", 30L);
            assertThatThrownBy(() -> admin.destroyRetiredDataKeys(Duration.ZERO))
                    .isInstanceOf(RetiredKeysInUseException.class)
                    .hasMessageStartingWith("cannot destroy retired data keys: 270 stored values still use them"
                            + " (Patient.balance: 60 values (data keys [")
                    .hasMessageEndingWith("Run reEncrypt() until it reports 0 remaining, then destroy");

            ReEncryptReport report = admin.reEncrypt(ReEncryptOptions.defaults().withBatchSize(25));

            assertThat(report.scanned()).isEqualTo(60);
            assertThat(report.reEncrypted()).isEqualTo(60);
            assertThat(report.remaining()).isZero();
            assertThat(report.unreadable()).isZero();
            assertThat(admin.status().totalValuesUnderRetiredKeys()).isZero();
            assertThat(admin.reEncrypt().scanned()).isZero();

            DestroyReport destroyed = admin.destroyRetiredDataKeys(Duration.ZERO);

            assertThat(destroyed.destroyed())
                    .as("five data keys and their scope keys")
                    .hasSize(10);
            assertThat(admin.status().dataKeys()).allMatch(count -> count.state() == DataKeyState.ACTIVE);
            Map<Long, String> after = nationalIds(sf);
            assertThat(after).containsAllEntriesOf(before);
        }
        try (SessionFactory cold = factory(area)) {
            assertThat(nationalIds(cold)).hasSize(65);
            // Keys under a master key: the scope keys, one per encrypted column. A cold read unwraps only those.
            long scopeKeys = FieldCrypt.of(cold).status().dataKeys().stream()
                    .filter(c -> !c.masterKeyId().startsWith("fieldcrypt:key:"))
                    .mapToLong(c -> c.count())
                    .sum();
            assertThat(scopeKeys).isEqualTo(5);
            assertThat(FieldCrypt.of(cold).stats().decryptDataKeyCalls()).isLessThanOrEqualTo(scopeKeys);
        }
    }

    @Test
    void destroy_defaultRefusesKeysRetiredWithinMaxAge() {
        TestDatabase area = db.newSchema("recent");
        try (SessionFactory sf = factory(area)) {
            seed(sf, 0, 1);
            FieldCrypt admin = FieldCrypt.of(sf);
            admin.rotateDataKeys();
            admin.reEncrypt();

            assertThatThrownBy(admin::destroyRetiredDataKeys)
                    .isInstanceOf(RetiredKeysInUseException.class)
                    .hasMessageStartingWith("cannot destroy retired data keys yet: an instance may still encrypt"
                            + " new values with one of keys [")
                    .hasMessageContaining("(database time: the expiry recorded when the key was made, from that"
                            + " instance's fieldcrypt.data-key.max-age)");
        }
    }

    @Test
    void reEncrypt_stoppedBetweenBatches_resumesFromCheckpoint() {
        TestDatabase area = db.newSchema("resume");
        try (SessionFactory sf = factory(area)) {
            seed(sf, 0, 50);
            Map<Long, String> before = nationalIds(sf);
            FieldCrypt admin = FieldCrypt.of(sf);
            admin.rotateDataKeys();
            AtomicInteger batches = new AtomicInteger();
            ReEncryptOptions failing = ReEncryptOptions.defaults()
                    .withBatchSize(10)
                    .withProgress(progress -> {
                        if (batches.incrementAndGet() == 2) {
                            throw new IllegalStateException("injected failure after batch 2");
                        }
                    });

            assertThatThrownBy(() -> admin.reEncrypt(failing)).hasMessage("injected failure after batch 2");
            assertThat(admin.status().valuesUnderRetiredKeys().get("Patient.nationalId"))
                    .isEqualTo(30L);

            ReEncryptReport resumed =
                    admin.reEncrypt(ReEncryptOptions.defaults().withBatchSize(10));

            assertThat(resumed.scanned()).isEqualTo(30);
            assertThat(resumed.remaining()).isZero();
            assertThat(nationalIds(sf)).isEqualTo(before);
        }
    }

    @Test
    void reEncrypt_whileApplicationUpdates_noUpdateLostAndRerunFinishes() throws Exception {
        TestDatabase area = db.newSchema("concurrent");
        try (SessionFactory sf = factory(area)) {
            List<Long> ids = seed(sf, 0, 200);
            FieldCrypt admin = FieldCrypt.of(sf);
            admin.rotateDataKeys();
            AtomicBoolean running = new AtomicBoolean(true);
            Map<Long, String> written = new java.util.concurrent.ConcurrentHashMap<>();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<?> application = pool.submit(() -> {
                for (int round = 0; running.get() && round < 1000; round++) {
                    Long id = ids.get(round % ids.size());
                    String value = "app-" + round;
                    sf.inTransaction(s -> s.find(Patient.class, id).nationalId = value);
                    written.put(id, value);
                }
            });
            ReEncryptReport first;
            try {
                first = admin.reEncrypt(ReEncryptOptions.defaults().withBatchSize(20));
            } finally {
                running.set(false);
                application.get(60, TimeUnit.SECONDS);
                pool.shutdown();
            }
            ReEncryptReport rerun = admin.reEncrypt(ReEncryptOptions.defaults().withBatchSize(20));

            assertThat(first.reEncrypted() + rerun.reEncrypted()).isLessThanOrEqualTo(200);
            assertThat(rerun.remaining()).isZero();
            assertThat(admin.status().totalValuesUnderRetiredKeys()).isZero();
            sf.inTransaction(s -> written.forEach((id, value) ->
                    assertThat(s.find(Patient.class, id).nationalId).isEqualTo(value)));
        }
    }

    @Test
    void twoRunsAtOnce_eachRowOnceAndNothingLeft() throws Exception {
        TestDatabase area = db.newSchema("workers");
        try (SessionFactory sf = factory(area)) {
            seed(sf, 0, 300);
            Map<Long, String> before = nationalIds(sf);
            FieldCrypt admin = FieldCrypt.of(sf);
            admin.rotateDataKeys();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<ReEncryptReport> a = pool.submit(() -> admin.reEncrypt(
                        ReEncryptOptions.defaults().withJobName("worker-a").withBatchSize(15)));
                Future<ReEncryptReport> b = pool.submit(() -> admin.reEncrypt(
                        ReEncryptOptions.defaults().withJobName("worker-b").withBatchSize(15)));
                ReEncryptReport first = a.get(120, TimeUnit.SECONDS);
                ReEncryptReport second = b.get(120, TimeUnit.SECONDS);

                assertThat(first.reEncrypted() + second.reEncrypted()).isEqualTo(300);
                assertThat(first.skippedChanged() + second.skippedChanged()).isZero();
                assertThat(admin.status().totalValuesUnderRetiredKeys()).isZero();
                assertThat(nationalIds(sf)).isEqualTo(before);
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void reEncrypt_keepsVersionsAndTouchesOnlyRetiredValues() throws SQLException {
        TestDatabase area = db.newSchema("versions");
        try (SessionFactory sf = factory(area)) {
            seed(sf, 0, 3);
            FieldCrypt admin = FieldCrypt.of(sf);
            admin.rotateDataKeys();
            seed(sf, 3, 2);
            Map<Long, byte[]> freshBefore = rawNationalIds(area, "id >= (select min(id) from Patient) + 3");

            admin.reEncrypt();

            assertThat(rawNationalIds(area, "true"))
                    .allSatisfy((id, raw) ->
                            assertThat(Envelope.parse(raw).dataKeyId()).isGreaterThan(5));
            assertThat(rawNationalIds(area, "id >= (select min(id) from Patient) + 3"))
                    .usingRecursiveComparison()
                    .isEqualTo(freshBefore);
            assertThat(nationalIds(sf).values()).allMatch(v -> v.endsWith("|v0"));
        }
    }

    private static Map<Long, byte[]> rawNationalIds(TestDatabase area, String condition) throws SQLException {
        Map<Long, byte[]> raw = new HashMap<>();
        try (Connection c = area.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select id, nationalId from Patient where " + condition)) {
            while (rs.next()) {
                raw.put(rs.getLong(1), rs.getBytes(2));
            }
        }
        return raw;
    }
}
