package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A StatelessSession writes envelopes (it fires the insert and update events), but fires no load event, so it
 * cannot open what it reads: reading an entity with encrypted attributes fails instead of handing out ciphertext.
 */
@ExtendWith(TestPostgres.class)
class StatelessSessionTest {

    private static TestDatabase db;
    private static SessionFactory sf;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = Factories.build(db, Factories.local(LocalMasterKeys.spec("k1"), "k1"), Patient.class)
                .unwrap(SessionFactory.class);
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    @Test
    void insertAndUpdate_writeEnvelopesThatASessionReads() throws SQLException {
        Patient patient = new Patient("S", "123-00-0001", "s@example.org", null, null);
        sf.inStatelessTransaction(s -> s.insert(patient));
        assertThat(Envelope.isWellFormed(raw(patient.id))).isTrue();

        patient.nationalId = "123-00-0002";
        sf.inStatelessTransaction(s -> s.update(patient));

        assertThat(new String(raw(patient.id), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("123-00");
        String read = sf.fromTransaction(s -> s.find(Patient.class, patient.id).nationalId);
        assertThat(read).isEqualTo("123-00-0002");
    }

    @Test
    void get_failsRatherThanReturnCiphertext() {
        Patient patient = new Patient("S", "123-00-0003", null, null, null);
        sf.inTransaction(s -> s.persist(patient));

        assertThatThrownBy(() -> sf.inStatelessTransaction(s -> s.get(Patient.class, patient.id)))
                .isInstanceOf(ClassCastException.class)
                .hasMessageStartingWith("class io.fieldcrypt.hibernate.internal.SealedValue cannot be cast");
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
