package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every operation of a StatelessSession works with encrypted entities: writes seal (insert, update and upsert fire
 * their events), reads open (the converter receives each value with its row's key). A StatelessSession runs no JPA
 * callbacks, so {@code @PostLoad} does not run there; the values are opened regardless.
 */
@ExtendWith(TestPostgres.class)
class StatelessSessionTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static TestDatabase db;
    private static SessionFactory sf;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = Factories.build(db, Factories.local(KEYS, "k1"), Patient.class).unwrap(SessionFactory.class);
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    private static Patient inserted(String nationalId) {
        Patient patient = new Patient("S", nationalId, nationalId + "@example.org", LocalDate.of(2001, 2, 3), null);
        sf.inStatelessTransaction(s -> s.insert(patient));
        return patient;
    }

    @Test
    void insertAndUpdate_writeEnvelopesThatASessionReads() throws SQLException {
        Patient patient = inserted("123-00-0001");
        assertThat(Envelope.isWellFormed(raw(patient.id))).isTrue();
        assertThat(patient.nationalId).isEqualTo("123-00-0001");

        patient.nationalId = "123-00-0002";
        sf.inStatelessTransaction(s -> s.update(patient));

        assertThat(new String(raw(patient.id), StandardCharsets.ISO_8859_1)).doesNotContain("123-00");
        assertThat(patient.nationalId).isEqualTo("123-00-0002");
        String read = sf.fromTransaction(s -> s.find(Patient.class, patient.id).nationalId);
        assertThat(read).isEqualTo("123-00-0002");
    }

    @Test
    void get_opensEveryAttribute_andRunsNoPostLoadCallback() {
        Patient patient = inserted("123-00-0003");

        Patient loaded = sf.fromStatelessTransaction(s -> s.get(Patient.class, patient.id));

        assertThat(loaded.nationalId).isEqualTo("123-00-0003");
        assertThat(loaded.email).isEqualTo("123-00-0003@example.org");
        assertThat(loaded.dateOfBirth).isEqualTo(LocalDate.of(2001, 2, 3));
        assertThat(loaded.nationalIdSeenAtPostLoad)
                .as("no JPA callback in a StatelessSession")
                .isNull();
    }

    @Test
    void getMultiple_refreshAndQueries_open() {
        Patient first = inserted("123-00-0004");
        Patient second = inserted("123-00-0005");

        List<Patient> both =
                sf.fromStatelessTransaction(s -> s.getMultiple(Patient.class, List.of(first.id, second.id)));
        List<String> queried = sf.fromStatelessTransaction(s -> s
                .createSelectionQuery("from Patient where id in :ids order by id", Patient.class)
                .setParameter("ids", List.of(first.id, second.id))
                .getResultList()
                .stream()
                .map(p -> p.nationalId)
                .toList());
        String projected = sf.fromStatelessTransaction(
                s -> s.createSelectionQuery("select nationalId from Patient where id = :id", String.class)
                        .setParameter("id", second.id)
                        .getSingleResult());
        first.nationalId = "changed in memory";
        sf.inStatelessTransaction(s -> s.refresh(first));

        assertThat(both).extracting(p -> p.nationalId).containsExactly("123-00-0004", "123-00-0005");
        assertThat(queried).containsExactly("123-00-0004", "123-00-0005");
        assertThat(projected).isEqualTo("123-00-0005");
        assertThat(first.nationalId).isEqualTo("123-00-0004");
    }

    @Test
    void upsertOfAVersionedEntity_sealsAndKeepsThePlaintextInTheEntity() throws SQLException {
        Patient patient = new Patient("U", "123-00-0006", null, null, null);
        patient.id = 5_000L;
        sf.inStatelessTransaction(s -> s.upsert(patient));
        byte[] first = raw(patient.id);

        patient.nationalId = "123-00-0007";
        sf.inStatelessTransaction(s -> s.upsert(patient));

        assertThat(patient.nationalId).isEqualTo("123-00-0007");
        assertThat(Envelope.isWellFormed(first)).isTrue();
        assertThat(raw(patient.id)).isNotEqualTo(first);
        assertThat(new String(raw(patient.id), StandardCharsets.ISO_8859_1)).doesNotContain("123-00");
        Patient loaded = sf.fromStatelessTransaction(s -> s.get(Patient.class, 5_000L));
        assertThat(loaded.nationalId).isEqualTo("123-00-0007");
        assertThat(loaded.version).isEqualTo(patient.version).isPositive();
    }

    @Test
    void delete_removesTheRow() {
        Patient patient = inserted("123-00-0008");

        sf.inStatelessTransaction(s -> s.delete(patient));

        Patient gone = sf.fromStatelessTransaction(s -> s.get(Patient.class, patient.id));
        assertThat(gone).isNull();
    }

    @Test
    void valueCopiedToAnotherRow_isRefusedByAStatelessGet() throws SQLException {
        Patient source = inserted("123-00-0009");
        Patient victim = inserted("123-00-0010");
        RawColumns.write(db, "Patient", "nationalId", victim.id, raw(source.id));

        assertThatThrownBy(() -> sf.fromStatelessTransaction(s -> s.get(Patient.class, victim.id)))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("Patient.nationalId")
                .hasMessageNotContaining("123-00-0009");
    }

    /** Native SQL reads the column without its row's key, and a stateless session fires no load event to open it. */
    @Test
    void nativeQueryWithEntityResult_isRefusedNamingTheAttribute() {
        Patient patient = inserted("123-00-0011");

        assertThatThrownBy(() -> sf.fromStatelessTransaction(
                        s -> s.createNativeQuery("select * from Patient where id = :id", Patient.class)
                                .setParameter("id", patient.id)
                                .getSingleResult()))
                .isInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith("cannot read Patient.")
                .hasMessageContaining("a StatelessSession has no load event")
                .hasMessageNotContaining("123-00-0011");
    }

    private static byte[] raw(Long id) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select nationalId from Patient where id = " + id)) {
            rs.next();
            return rs.getBytes(1);
        }
    }
}
