package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.KeyProviderException.Reason;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.KmsWireServer;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.RollbackException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * KMS faults through the real KmsClient and the KMS wire server, seen from the application: writes fail closed with
 * a typed error and store nothing, reads fail typed, cached keys keep serving, and everything works again once KMS
 * recovers, without a restart.
 */
@ExtendWith(TestPostgres.class)
class KmsFaultsTest {

    private KmsWireServer kms;
    private KmsClient client;
    private String key;

    @BeforeEach
    void start() {
        kms = KmsWireServer.start();
        client = kms.newClient(3);
        key = kms.createKey();
    }

    @AfterEach
    void stop() {
        client.close();
        kms.close();
    }

    private SessionFactory factory(TestDatabase db) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(FieldCryptSettings.KMS_PROVIDER, "aws");
        settings.put(FieldCryptSettings.KMS_KEY_ID, key);
        settings.put(FieldCryptSettings.KMS_CLIENT, client);
        return Factories.build(db, settings, Patient.class).unwrap(SessionFactory.class);
    }

    private static Long persist(SessionFactory sf, String nationalId) {
        return sf.fromTransaction(s -> {
            Patient patient = new Patient("p", nationalId, null, null, null);
            s.persist(patient);
            return patient.id;
        });
    }

    private static KeyProviderException keyProviderFailure(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof KeyProviderException e) {
                return e;
            }
        }
        throw new AssertionError("no KeyProviderException in the chain", thrown);
    }

    private static int rows(TestDatabase db, String table) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void throttledThenRecovering_retriedWithinBoundThenFailsClosedThenWorks(TestDatabase db) throws SQLException {
        try (SessionFactory sf = factory(db.newSchema("throttle"))) {
            kms.throttleNext(2);
            Long first = persist(sf, "A1");
            String read = sf.fromTransaction(s -> s.find(Patient.class, first).nationalId);
            assertThat(read).isEqualTo("A1");

            try (SessionFactory cold = factory(db.newSchema("throttle_cold"))) {
                kms.throttleNext(10);
                Throwable thrown = catchThrowable(() -> persist(cold, "A2"));
                assertThat(thrown).isInstanceOf(RollbackException.class);
                assertThat(keyProviderFailure(thrown).reason()).isEqualTo(Reason.THROTTLED);
                kms.throttleNext(0);
                assertThat(persist(cold, "A3")).isPositive();
            }
        }
    }

    @Test
    void slowKms_failsWithinTheClientTimeoutAndStoresNothing(TestDatabase db) throws SQLException {
        TestDatabase area = db.newSchema("slow");
        try (KmsClient impatient = KmsClient.builder()
                .endpointOverride(kms.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("t", "t")))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMillis(500)))
                .build()) {
            Map<String, Object> settings = new HashMap<>();
            settings.put(FieldCryptSettings.KMS_KEY_ID, key);
            settings.put(FieldCryptSettings.KMS_CLIENT, impatient);
            try (SessionFactory sf =
                    Factories.build(area, settings, Patient.class).unwrap(SessionFactory.class)) {
                kms.delayEachRequest(Duration.ofSeconds(3));
                long started = System.nanoTime();
                Throwable thrown = catchThrowable(() -> persist(sf, "B1"));
                long tookMillis = (System.nanoTime() - started) / 1_000_000;
                kms.delayEachRequest(Duration.ZERO);

                assertThat(keyProviderFailure(thrown).reason()).isEqualTo(Reason.UNAVAILABLE);
                assertThat(tookMillis).isLessThan(3000);
                assertThat(rows(area, "Patient")).isZero();
                assertThat(persist(sf, "B2")).isPositive();
            }
        }
    }

    @Test
    void disabledKey_writesRefusedReadsOfUncachedKeysRefused_enabledAgainWorks(TestDatabase db) throws SQLException {
        TestDatabase area = db.newSchema("disabled");
        Long id;
        try (SessionFactory sf = factory(area)) {
            id = persist(sf, "C1");
        }
        try (SessionFactory cold = factory(area)) {
            kms.disableKey(key);
            assertThat(catchThrowable(() -> factory(area)))
                    .as("a factory built while its master key is disabled fails at boot")
                    .rootCause()
                    .isInstanceOf(KeyProviderException.class);
            assertThat(catchThrowable(() -> factory(area)))
                    .cause()
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("(KEY_DISABLED): master key " + key + " cannot be used: KMS key " + key
                            + " is Disabled; enable it or configure another key");
            Throwable write = catchThrowable(() -> persist(cold, "C2"));
            assertThat(keyProviderFailure(write).reason()).isEqualTo(Reason.KEY_DISABLED);
            assertThat(keyProviderFailure(write)).hasMessageContaining("the key is disabled or pending deletion");
            assertThatThrownBy(() -> cold.inTransaction(s -> s.find(Patient.class, id)))
                    .isInstanceOf(KeyProviderException.class)
                    .extracting(e -> ((KeyProviderException) e).reason())
                    .isEqualTo(Reason.KEY_DISABLED);
            assertThat(rows(area, "Patient")).isEqualTo(1);

            kms.enableKey(key);
            String read = cold.fromTransaction(s -> s.find(Patient.class, id).nationalId);
            assertThat(read).isEqualTo("C1");
            assertThat(persist(cold, "C3")).isPositive();
        }
    }

    @Test
    void kmsAnswersWithAnotherKey_refused(TestDatabase db) {
        String other = kms.createKey();
        try (SessionFactory sf = factory(db.newSchema("wrong"))) {
            kms.answerWithKeyArn(other);
            Throwable thrown = catchThrowable(() -> persist(sf, "D1"));
            kms.answerWithKeyArn(null);

            assertThat(keyProviderFailure(thrown).reason()).isEqualTo(Reason.WRONG_KEY);
            assertThat(keyProviderFailure(thrown)).hasMessageContaining("answered with key " + other);
        }
    }

    @Test
    void wrappedKeyTamperedInTable_readFailsAsDecryptionError(TestDatabase db) throws SQLException {
        TestDatabase area = db.newSchema("invalid");
        Long id;
        try (SessionFactory sf = factory(area)) {
            id = persist(sf, "E1");
        }
        try (Connection c = area.connect();
                Statement st = c.createStatement()) {
            st.execute("update fieldcrypt_data_key set encrypted_key = set_byte(encrypted_key, 45,"
                    + " get_byte(encrypted_key, 45) # 1)");
        }
        try (SessionFactory cold = factory(area)) {
            assertThatThrownBy(() -> cold.inTransaction(s -> s.find(Patient.class, id)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageEndingWith("could not be unwrapped under master key " + key + ": its stored form or"
                            + " encryption context was altered");
        }
    }

    @Test
    void kmsDown_cachedKeysKeepServingWithinBounds(TestDatabase db) {
        try (SessionFactory sf = factory(db.newSchema("cached"))) {
            Long id = persist(sf, "F1");
            kms.failNext(1000);
            try {
                Long another = persist(sf, "F2");
                String read = sf.fromTransaction(s -> s.find(Patient.class, id).nationalId);
                String readAnother = sf.fromTransaction(s -> s.find(Patient.class, another).nationalId);
                assertThat(read).isEqualTo("F1");
                assertThat(readAnother).isEqualTo("F2");
            } finally {
                kms.failNext(0);
            }
        }
    }

    @Test
    void eightThreadsOnColdCaches_oneGeneratePerScopeOneDecryptPerKey(TestDatabase db) throws Exception {
        TestDatabase area = db.newSchema("storm");
        kms.delayEachRequest(Duration.ofMillis(100));
        List<Long> ids = new ArrayList<>();
        try (SessionFactory sf = factory(area)) {
            kms.resetCounts();
            ids.addAll(storm(() -> persist(sf, "G")));
            assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(1);
        }
        try (SessionFactory cold = factory(area)) {
            kms.resetCounts();
            List<String> read = storm(() -> cold.fromTransaction(s -> s.find(Patient.class, ids.get(0)).nationalId));
            assertThat(read).containsOnly("G");
            assertThat(kms.requestCount("Decrypt")).isEqualTo(1);
        } finally {
            kms.delayEachRequest(Duration.ZERO);
        }
    }

    @Test
    void twoFactoriesStartingAtOnce_oneConsistentTable(TestDatabase db) throws Exception {
        TestDatabase area = db.newSchema("twoapps");
        List<SessionFactory> started = storm(() -> factory(area), 2);
        try {
            for (SessionFactory sf : started) {
                Long id = persist(sf, "H");
                for (SessionFactory reader : started) {
                    String read = reader.fromTransaction(s -> s.find(Patient.class, id).nationalId);
                    assertThat(read).isEqualTo("H");
                }
            }
            // One scope key, made by one of the two, and a data key per factory under it.
            assertThat(rows(area, "fieldcrypt_data_key where scope like 'fieldcrypt:scope-key:%'"))
                    .isEqualTo(1);
            assertThat(rows(area, "fieldcrypt_data_key")).isEqualTo(3);
        } finally {
            started.forEach(SessionFactory::close);
        }
    }

    private static <T> List<T> storm(java.util.concurrent.Callable<T> task) throws Exception {
        return storm(task, 8);
    }

    private static <T> List<T> storm(java.util.concurrent.Callable<T> task, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return task.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(thrown).as("expected a failure").isNotNull();
        return thrown;
    }
}
