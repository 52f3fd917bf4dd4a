package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.hibernate.model.Clinician;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.model.PatientView;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Tuple;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.util.List;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Queries that select encrypted attributes rather than entities get the plaintext, whatever else they select: the
 * column is read together with its row's key, so the value is checked against its own row on this path too.
 */
@ExtendWith(TestPostgres.class)
class ProjectionTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static TestDatabase db;
    private static SessionFactory sf;
    private static Long adaId;
    private static Long bobId;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = Factories.build(db, Factories.local(KEYS, "k1"), Patient.class, Clinician.class)
                .unwrap(SessionFactory.class);
        adaId = sf.fromTransaction(s -> {
            Patient ada = new Patient(
                    "Ada", "123-45-6789", "ada@example.org", LocalDate.of(1815, 12, 10), new BigDecimal("12.50"));
            Patient bob = new Patient("Bob", "987-65-4321", null, null, null);
            s.persist(ada);
            s.persist(bob);
            s.persist(new Clinician(1L, "C-1"));
            return ada.id;
        });
        bobId = adaId + 1;
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    @BeforeEach
    void resetStatistics() {
        sf.getStatistics().clear();
    }

    @Test
    void scalarSelection_givesPlaintext() {
        String nationalId = sf.fromTransaction(
                s -> s.createSelectionQuery("select p.nationalId from Patient p where p.id = :id", String.class)
                        .setParameter("id", adaId)
                        .getSingleResult());

        assertThat(nationalId).isEqualTo("123-45-6789");
        assertThat(sf.getStatistics().getEntityUpdateCount()).isZero();
    }

    @Test
    void tupleSelection_givesPlaintextOfEveryTypeAndStorage() {
        Object[] row = sf.fromTransaction(s -> s.createSelectionQuery(
                        "select p.name, p.email, p.dateOfBirth, p.balance, p.insuranceNumber from Patient p"
                                + " where p.id = :id",
                        Object[].class)
                .setParameter("id", adaId)
                .getSingleResult());

        assertThat(row)
                .containsExactly("Ada", "ada@example.org", LocalDate.of(1815, 12, 10), new BigDecimal("12.50"), null);
    }

    @Test
    void constructorExpression_givesPlaintext() {
        List<PatientView> views = sf.fromTransaction(s -> s.createSelectionQuery(
                        "select new io.fieldcrypt.hibernate.model.PatientView(p.id, p.nationalId, p.dateOfBirth)"
                                + " from Patient p order by p.id",
                        PatientView.class)
                .getResultList());

        assertThat(views)
                .containsExactly(
                        new PatientView(adaId, "123-45-6789", LocalDate.of(1815, 12, 10)),
                        new PatientView(bobId, "987-65-4321", null));
    }

    @Test
    void criteriaSelections_givePlaintext() {
        LocalDate born = sf.fromTransaction(s -> {
            CriteriaBuilder cb = s.getCriteriaBuilder();
            CriteriaQuery<LocalDate> query = cb.createQuery(LocalDate.class);
            Root<Patient> p = query.from(Patient.class);
            query.select(p.get("dateOfBirth")).where(cb.equal(p.get("id"), adaId));
            return s.createQuery(query).getSingleResult();
        });
        Tuple tuple = sf.fromTransaction(s -> {
            CriteriaBuilder cb = s.getCriteriaBuilder();
            CriteriaQuery<Tuple> query = cb.createTupleQuery();
            Root<Patient> p = query.from(Patient.class);
            query.select(cb.tuple(p.get("id").alias("id"), p.get("nationalId").alias("nationalId")))
                    .where(cb.equal(p.get("id"), bobId));
            return s.createQuery(query).getSingleResult();
        });

        assertThat(born).isEqualTo(LocalDate.of(1815, 12, 10));
        assertThat(tuple.get("nationalId", String.class)).isEqualTo("987-65-4321");
    }

    @Test
    void selectionAcrossAJoin_opensEachEntitysValueWithItsOwnRow() {
        List<Object[]> rows = sf.fromTransaction(s -> s.createSelectionQuery(
                        "select p.nationalId, c.nationalId from Patient p, Clinician c where p.id = :id",
                        Object[].class)
                .setParameter("id", adaId)
                .getResultList());

        assertThat(rows).singleElement().satisfies(row -> assertThat(row).containsExactly("123-45-6789", "C-1"));
    }

    @Test
    void nullTests_onEncryptedAttributes() {
        List<String> withoutEmail = sf.fromTransaction(
                s -> s.createSelectionQuery("select p.name from Patient p where p.email is null", String.class)
                        .getResultList());

        assertThat(withoutEmail).containsExactly("Bob");
    }

    @Test
    void nativeQueryWithEntityResult_isOpenedByTheLoad() {
        Patient patient =
                sf.fromTransaction(s -> s.createNativeQuery("select * from Patient where id = :id", Patient.class)
                        .setParameter("id", adaId)
                        .getSingleResult());

        assertThat(patient.nationalId).isEqualTo("123-45-6789");
        assertThat(patient.email).isEqualTo("ada@example.org");
    }

    /**
     * Native SQL reads the bare column; a value planted there that imitates what the read expression gives for
     * another row (key, then that row's envelope) must not open as that row's value, on any path.
     */
    @Test
    void valueImitatingAnotherRowsKeyedRead_isRefusedByNativeAndMappedReads() throws Exception {
        Long victim = victim("000-00-0001");
        try (Connection c = db.connect();
                PreparedStatement plant = c.prepareStatement(
                        "update Patient set nationalId ="
                                + " int8send(cast(? as bigint)) || (select nationalId from Patient where id = ?) where id = ?")) {
            plant.setLong(1, adaId);
            plant.setLong(2, adaId);
            plant.setLong(3, victim);
            assertThat(plant.executeUpdate()).isEqualTo(1);
        }

        assertThatThrownBy(() -> sf.fromTransaction(
                        s -> s.createNativeQuery("select * from Patient where id = :id", Patient.class)
                                .setParameter("id", victim)
                                .getSingleResult()))
                .isInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> sf.fromTransaction(s -> s.find(Patient.class, victim)))
                .isInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> sf.fromStatelessTransaction(
                        s -> s.createNativeQuery("select * from Patient where id = :id", Patient.class)
                                .setParameter("id", victim)
                                .getSingleResult()))
                .isInstanceOf(FieldCryptException.class)
                .hasMessageNotContaining("123-45-6789");
        delete(victim);
    }

    @Test
    void coldFactory_projectsWhatAnotherWrote() {
        try (SessionFactory cold = Factories.build(db, Factories.local(KEYS, "k1"), Patient.class, Clinician.class)
                .unwrap(SessionFactory.class)) {
            String email = cold.fromTransaction(
                    s -> s.createSelectionQuery("select p.email from Patient p where p.id = :id", String.class)
                            .setParameter("id", adaId)
                            .getSingleResult());

            assertThat(email).isEqualTo("ada@example.org");
        }
    }

    @Test
    void valueCopiedToAnotherRow_isRefusedOnTheProjectionPath() throws Exception {
        Long victim = victim("000-00-0000");
        RawColumns.write(db, "Patient", "nationalId", victim, RawColumns.read(db, "Patient", "nationalId", adaId));

        assertThatThrownBy(() -> sf.fromTransaction(
                        s -> s.createSelectionQuery("select p.nationalId from Patient p where p.id = :id", String.class)
                                .setParameter("id", victim)
                                .getSingleResult()))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("Patient.nationalId")
                .hasMessageNotContaining("123-45-6789");
        delete(victim);
    }

    /** A patient the tests tamper with; other tests' queries must not see it, so each test deletes it again. */
    private static Long victim(String nationalId) {
        return sf.fromTransaction(s -> {
            Patient p = new Patient("Victim", nationalId, null, null, null);
            s.persist(p);
            return p.id;
        });
    }

    private static void delete(Long id) {
        sf.inTransaction(s -> s.createMutationQuery("delete from Patient where id = :id")
                .setParameter("id", id)
                .executeUpdate());
    }

    @Test
    void nothingIsWrittenByReads() {
        sf.inTransaction(s -> {
            s.createSelectionQuery("from Patient", Patient.class).getResultList();
            s.createSelectionQuery("select p.nationalId, p.email from Patient p", Object[].class)
                    .getResultList();
        });

        assertThat(sf.getStatistics().getEntityUpdateCount()).isZero();
        assertThat(sf.getStatistics().getPrepareStatementCount()).isEqualTo(2);
    }
}
