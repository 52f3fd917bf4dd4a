package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.hibernate.model.AllTypes;
import io.fieldcrypt.hibernate.model.Clinician;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.EntityManagerFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The application sees plaintext, the database holds envelopes, and nothing is written that did not change. */
@ExtendWith(TestPostgres.class)
class EncryptedRoundTripTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static final Class<?>[] ENTITIES = {Patient.class, Clinician.class, AllTypes.class};
    private static TestDatabase db;
    private static SessionFactory sf;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = factory(Map.of()).unwrap(SessionFactory.class);
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    @BeforeEach
    void resetStatistics() {
        sf.getStatistics().clear();
    }

    private static EntityManagerFactory factory(Map<String, Object> extra) {
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        settings.putAll(extra);
        return Factories.build(db, settings, ENTITIES);
    }

    private static Patient ada() {
        return new Patient(
                "Ada", "123-45-6789", "ada@example.org", LocalDate.of(1815, 12, 10), new BigDecimal("1234.50"));
    }

    private static Long persist(SessionFactory factory, Patient patient) {
        return factory.fromTransaction(s -> {
            s.persist(patient);
            return patient.id;
        });
    }

    @Test
    void persist_thenFind_plaintextBackAndColumnsHoldOnlyEnvelopes() throws SQLException {
        Long id = persist(sf, ada());

        Patient loaded = sf.fromTransaction(s -> s.find(Patient.class, id));

        assertThat(loaded.nationalId).isEqualTo("123-45-6789");
        assertThat(loaded.email).isEqualTo("ada@example.org");
        assertThat(loaded.dateOfBirth).isEqualTo(LocalDate.of(1815, 12, 10));
        assertThat(loaded.balance).isEqualTo(new BigDecimal("1234.50"));
        assertThat(loaded.nationalIdSeenAtPostLoad).isEqualTo("123-45-6789");
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select name, nationalId, email, dateOfBirth, balance,"
                        + " insuranceNumber from Patient where id = " + id)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("name")).isEqualTo("Ada");
            byte[] nationalId = rs.getBytes("nationalId");
            assertThat(Envelope.isWellFormed(nationalId)).isTrue();
            assertThat(new String(nationalId, StandardCharsets.ISO_8859_1)).doesNotContain("123-45-6789");
            assertThat(Envelope.isWellFormedText(rs.getString("email"))).isTrue();
            assertThat(rs.getString("email")).doesNotContain("ada@");
            assertThat(Envelope.isWellFormed(rs.getBytes("dateOfBirth"))).isTrue();
            assertThat(Envelope.isWellFormed(rs.getBytes("balance"))).isTrue();
            assertThat(rs.getBytes("insuranceNumber")).isNull();
        }
    }

    @Test
    void persist_entityKeepsPlaintextAfterFlushAndCommit() {
        Patient patient = ada();

        sf.inTransaction(s -> {
            s.persist(patient);
            s.flush();
            assertThat(patient.nationalId).isEqualTo("123-45-6789");
        });

        assertThat(patient.nationalId).isEqualTo("123-45-6789");
        assertThat(patient.balance).isEqualTo(new BigDecimal("1234.50"));
    }

    @Test
    void equalPlaintexts_differentCiphertexts() throws SQLException {
        Long first = persist(sf, ada());
        Long second = persist(sf, ada());

        assertThat(rawNationalId(first)).isNotEqualTo(rawNationalId(second));
    }

    @Test
    void insertThenTwoFlushes_noUpdate() {
        sf.inTransaction(s -> {
            s.persist(ada());
            s.flush();
            s.flush();
        });

        assertThat(sf.getStatistics().getEntityInsertCount()).isEqualTo(1);
        assertThat(sf.getStatistics().getEntityUpdateCount()).isZero();
    }

    @Test
    void loadWithoutChange_noUpdate_oneChange_oneUpdateAndNewEnvelope() throws SQLException {
        Long id = persist(sf, ada());
        byte[] before = rawNationalId(id);
        Statistics statistics = sf.getStatistics();

        sf.inTransaction(s -> s.find(Patient.class, id));
        assertThat(statistics.getEntityUpdateCount()).isZero();

        sf.inTransaction(s -> s.find(Patient.class, id).nationalId = "987-65-4321");

        assertThat(statistics.getEntityUpdateCount()).isEqualTo(1);
        assertThat(rawNationalId(id)).isNotEqualTo(before);
        Patient reloaded = sf.fromTransaction(s -> s.find(Patient.class, id));
        assertThat(reloaded.nationalId).isEqualTo("987-65-4321");
        assertThat(reloaded.version).isEqualTo(1);
    }

    @Test
    void updateOfPlainAttribute_resealsEncryptedOnes() throws SQLException {
        Long id = persist(sf, ada());
        byte[] before = rawNationalId(id);

        sf.inTransaction(s -> s.find(Patient.class, id).name = "Ada L.");

        assertThat(rawNationalId(id)).isNotEqualTo(before);
        String nationalId = sf.fromTransaction(s -> s.find(Patient.class, id).nationalId);
        assertThat(nationalId).isEqualTo("123-45-6789");
    }

    @Test
    void nullValues_stayNull() throws SQLException {
        Patient patient = new Patient("Nobody", null, null, null, null);
        Long id = persist(sf, patient);

        Patient loaded = sf.fromTransaction(s -> s.find(Patient.class, id));

        assertThat(loaded.nationalId).isNull();
        assertThat(loaded.email).isNull();
        assertThat(rawNationalId(id)).isNull();
    }

    @Test
    void everyType_roundTripsWarmAndCold() {
        UUID id = UUID.randomUUID();
        sf.inTransaction(s -> s.persist(AllTypes.sample(id)));

        AllTypes warm = sf.fromTransaction(s -> s.find(AllTypes.class, id));
        AllTypes cold;
        try (EntityManagerFactory other = factory(Map.of())) {
            cold = other.unwrap(SessionFactory.class).fromTransaction(s -> s.find(AllTypes.class, id));
        }

        for (AllTypes loaded : List.of(warm, cold)) {
            assertThat(loaded).usingRecursiveComparison().isEqualTo(AllTypes.sample(id));
        }
        assertThat(sf.getStatistics().getEntityUpdateCount()).isZero();
    }

    @Test
    void byteArrayChangedInPlace_detectedAsDirty() {
        UUID id = UUID.randomUUID();
        sf.inTransaction(s -> s.persist(AllTypes.sample(id)));

        sf.inTransaction(s -> s.find(AllTypes.class, id).bytes[0] = 9);

        assertThat(sf.getStatistics().getEntityUpdateCount()).isEqualTo(1);
        byte[] bytes = sf.fromTransaction(s -> s.find(AllTypes.class, id).bytes);
        assertThat(bytes).containsExactly(9, 1, 2, 0xFF);
    }

    @Test
    void batchOf120_eachRowReadsItsOwnValues() {
        try (EntityManagerFactory batching =
                factory(Map.of("hibernate.jdbc.batch_size", "50", "hibernate.order_inserts", "true"))) {
            SessionFactory factory = batching.unwrap(SessionFactory.class);
            List<Long> ids = factory.fromTransaction(s -> {
                List<Long> created = new ArrayList<>();
                for (int i = 0; i < 120; i++) {
                    Patient patient = new Patient("p" + i, "id-" + i, "p" + i + "@example.org", null, null);
                    s.persist(patient);
                    created.add(patient.id);
                }
                return created;
            });

            factory.inTransaction(s -> {
                for (int i = 0; i < ids.size(); i++) {
                    Patient patient = s.find(Patient.class, ids.get(i));
                    assertThat(patient.nationalId).isEqualTo("id-" + i);
                    assertThat(patient.email).isEqualTo("p" + i + "@example.org");
                }
            });
        }
    }

    @Test
    void mergeOfDetached_refresh_findAfterClear_allGivePlaintext() {
        Long id = persist(sf, ada());
        Patient detached = sf.fromTransaction(s -> s.find(Patient.class, id));
        detached.nationalId = "111-22-3333";

        sf.inTransaction(s -> s.merge(detached));

        sf.inTransaction(s -> {
            Patient loaded = s.find(Patient.class, id);
            assertThat(loaded.nationalId).isEqualTo("111-22-3333");
            loaded.nationalId = "changed, not flushed";
            s.refresh(loaded);
            assertThat(loaded.nationalId).isEqualTo("111-22-3333");
            s.clear();
            assertThat(s.find(Patient.class, id).nationalId).isEqualTo("111-22-3333");
        });
        assertThat(sf.getStatistics().getEntityUpdateCount()).isEqualTo(1);
    }

    @Test
    void concurrentChange_stillRaisesOptimisticLockFailure() {
        Long id = persist(sf, ada());
        Patient stale = sf.fromTransaction(s -> s.find(Patient.class, id));
        sf.inTransaction(s -> s.find(Patient.class, id).nationalId = "first writer");
        stale.nationalId = "second writer";

        assertThatThrownBy(() -> sf.inTransaction(s -> s.merge(stale)))
                .isInstanceOf(jakarta.persistence.OptimisticLockException.class);
        String stored = sf.fromTransaction(s -> s.find(Patient.class, id).nationalId);
        assertThat(stored).isEqualTo("first writer");
    }

    @Test
    void queryResults_areOpenedWithEachRowsId() {
        Long first = persist(sf, ada());
        Patient other = ada();
        other.nationalId = "000-00-0000";
        Long second = persist(sf, other);

        List<Patient> loaded = sf.fromTransaction(
                s -> s.createSelectionQuery("from Patient where id in (:a, :b) order by id", Patient.class)
                        .setParameter("a", first)
                        .setParameter("b", second)
                        .getResultList());

        assertThat(loaded).extracting(p -> p.nationalId).containsExactly("123-45-6789", "000-00-0000");
    }

    @Test
    void jpqlParameterOnEncryptedAttribute_refusedClearly() {
        persist(sf, ada());

        assertThatThrownBy(() -> sf.inTransaction(
                        s -> s.createSelectionQuery("from Patient where nationalId = :n", Patient.class)
                                .setParameter("n", "123-45-6789")
                                .getResultList()))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith(
                        "query refused: Patient.nationalId is @Encrypted and is used in the where" + " clause.");
    }

    @Test
    void bulkUpdateWithPlaintext_refusedAndNothingStored() throws SQLException {
        Long id = persist(sf, ada());
        byte[] before = rawNationalId(id);

        assertThatThrownBy(() -> sf.inTransaction(s -> s.createMutationQuery("update Patient set nationalId = :n")
                        .setParameter("n", "999-99-9999")
                        .executeUpdate()))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith("query refused: Patient.nationalId is @Encrypted and is used in the set clause"
                        + " of a bulk update.");

        assertThat(rawNationalId(id)).isEqualTo(before);
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from Patient where"
                        + " position(convert_to('999-99-9999', 'UTF8') in nationalId) > 0")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    private static byte[] rawNationalId(Long id) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select nationalId from Patient where id = " + id)) {
            assertThat(rs.next()).isTrue();
            return rs.getBytes(1);
        }
    }
}
