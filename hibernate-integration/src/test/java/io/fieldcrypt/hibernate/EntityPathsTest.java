package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.ManyToOne;
import java.util.List;
import org.hibernate.Hibernate;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.DynamicUpdate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The entity paths that worked before the read expression and must keep working, through it: lazy proxies and
 * {@code getReference}, multi-id loads, paging, join fetch, inheritance loaded through the superclass,
 * {@code @DynamicUpdate}, and the auto-flush before a query.
 */
@ExtendWith(TestPostgres.class)
class EntityPathsTest {

    private static TestDatabase db;
    private static SessionFactory sf;

    @Entity(name = "Visit")
    static class Visit {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE)
        Long id;

        @ManyToOne(fetch = FetchType.LAZY)
        Patient patient;

        @Encrypted
        String notes;
    }

    @Entity(name = "Account")
    @Inheritance(strategy = InheritanceType.SINGLE_TABLE)
    static class Account {
        @Id
        Long id;

        @Encrypted
        String iban;
    }

    @Entity(name = "Savings")
    static class Savings extends Account {
        @Encrypted
        String taxId;
    }

    @Entity(name = "Staff")
    @Inheritance(strategy = InheritanceType.JOINED)
    static class Staff {
        @Id
        Long id;

        @Encrypted
        String badge;
    }

    @Entity(name = "Nurse")
    static class Nurse extends Staff {
        @Encrypted
        String licence;
    }

    @Entity(name = "Note")
    @DynamicUpdate
    static class Note {
        @Id
        Long id;

        @Encrypted
        String title;

        @Encrypted
        String body;
    }

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = Factories.build(
                        db,
                        Factories.local(LocalMasterKeys.spec("k1"), "k1"),
                        Patient.class,
                        Visit.class,
                        Account.class,
                        Savings.class,
                        Staff.class,
                        Nurse.class,
                        Note.class)
                .unwrap(SessionFactory.class);
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    private static Patient patient(String nationalId) {
        Patient patient = new Patient("P", nationalId, null, null, null);
        sf.inTransaction(s -> s.persist(patient));
        return patient;
    }

    @Test
    void getReferenceAndLazyProxies_open() {
        Patient patient = patient("100-00-0001");
        Long visitId = sf.fromTransaction(s -> {
            Visit visit = new Visit();
            visit.patient = s.getReference(Patient.class, patient.id);
            visit.notes = "follow-up";
            s.persist(visit);
            return visit.id;
        });

        String throughReference = sf.fromTransaction(
                s -> ((Patient) Hibernate.unproxy(s.getReference(Patient.class, patient.id))).nationalId);
        String throughLazyAssociation = sf.fromTransaction(s -> {
            Visit visit = s.find(Visit.class, visitId);
            assertThat(Hibernate.isInitialized(visit.patient)).isFalse();
            return ((Patient) Hibernate.unproxy(visit.patient)).nationalId;
        });

        assertThat(throughReference).isEqualTo("100-00-0001");
        assertThat(throughLazyAssociation).isEqualTo("100-00-0001");
    }

    @Test
    void joinFetch_opensBothEntities() {
        Patient patient = patient("100-00-0002");
        sf.inTransaction(s -> {
            Visit visit = new Visit();
            visit.patient = s.find(Patient.class, patient.id);
            visit.notes = "fetched";
            s.persist(visit);
        });

        Visit loaded = sf.fromTransaction(
                s -> s.createSelectionQuery("from Visit v join fetch v.patient p where p.id = :id", Visit.class)
                        .setParameter("id", patient.id)
                        .getSingleResult());

        assertThat(loaded.notes).isEqualTo("fetched");
        assertThat(loaded.patient.nationalId).isEqualTo("100-00-0002");
    }

    @Test
    void multiIdLoadsAndPaging_open() {
        Patient first = patient("100-00-0003");
        Patient second = patient("100-00-0004");

        List<Patient> both = sf.fromTransaction(s -> s.findMultiple(Patient.class, List.of(first.id, second.id)));
        List<Patient> page = sf.fromTransaction(
                s -> s.createSelectionQuery("from Patient where id in :ids order by id", Patient.class)
                        .setParameter("ids", List.of(first.id, second.id))
                        .setFirstResult(1)
                        .setMaxResults(1)
                        .getResultList());

        assertThat(both).extracting(p -> p.nationalId).containsExactly("100-00-0003", "100-00-0004");
        assertThat(page).extracting(p -> p.nationalId).containsExactly("100-00-0004");
    }

    @Test
    void inheritanceLoadedThroughTheSuperclass_opens() {
        sf.inTransaction(s -> {
            Savings savings = new Savings();
            savings.id = 1L;
            savings.iban = "DE89 3704";
            savings.taxId = "T-1";
            s.persist(savings);
            Nurse nurse = new Nurse();
            nurse.id = 2L;
            nurse.badge = "B-7";
            nurse.licence = "L-9";
            s.persist(nurse);
        });

        Account account = sf.fromTransaction(
                s -> s.createSelectionQuery("from Account", Account.class).getSingleResult());
        Staff staff = sf.fromTransaction(s -> s.find(Staff.class, 2L));

        assertThat(account).isInstanceOfSatisfying(Savings.class, savings -> {
            assertThat(savings.iban).isEqualTo("DE89 3704");
            assertThat(savings.taxId).isEqualTo("T-1");
        });
        assertThat(staff).isInstanceOfSatisfying(Nurse.class, nurse -> {
            assertThat(nurse.badge).isEqualTo("B-7");
            assertThat(nurse.licence).isEqualTo("L-9");
        });
    }

    @Test
    void dynamicUpdate_writesOnlyTheChangedColumn() throws Exception {
        sf.inTransaction(s -> {
            Note note = new Note();
            note.id = 1L;
            note.title = "title";
            note.body = "body";
            s.persist(note);
        });
        byte[] bodyBefore = RawColumns.read(db, "Note", "body", 1L);

        sf.inTransaction(s -> s.find(Note.class, 1L).title = "new title");

        assertThat(RawColumns.read(db, "Note", "body", 1L)).isEqualTo(bodyBefore);
        Note loaded = sf.fromTransaction(s -> s.find(Note.class, 1L));
        assertThat(loaded.title).isEqualTo("new title");
        assertThat(loaded.body).isEqualTo("body");
    }

    @Test
    void autoFlushBeforeAQuery_writesEnvelopes() {
        byte[] stored = sf.fromTransaction(s -> {
            Patient patient = new Patient("Auto", "100-00-0005", null, null, null);
            s.persist(patient);
            List<String> names = s.createSelectionQuery("select p.name from Patient p where p.id = :id", String.class)
                    .setParameter("id", patient.id)
                    .getResultList();
            assertThat(names).containsExactly("Auto");
            return s.createNativeQuery("select nationalId from Patient where id = :id", byte[].class)
                    .setParameter("id", patient.id)
                    .getSingleResult();
        });

        assertThat(Envelope.isWellFormed(stored)).isTrue();
    }
}
