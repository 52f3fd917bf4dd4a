package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestKeys;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.EntityManagerFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPostgres.class)
class EncryptedRoundTripTest {

    private static final String KEYS = TestKeys.localSpec("k1");
    private static TestDatabase db;
    private static EntityManagerFactory emf;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        emf = Factories.build(db, Factories.local(KEYS, "k1"), Patient.class);
    }

    @AfterAll
    static void stop() {
        emf.close();
    }

    private static Long persist(Patient patient) {
        return emf.unwrap(SessionFactory.class).fromTransaction(s -> {
            s.persist(patient);
            return patient.id;
        });
    }

    @Test
    void persist_thenFind_plaintextBackAndColumnsHoldOnlyEnvelopes() throws SQLException {
        Long id = persist(new Patient("Ada", "123-45-6789", "ada@example.org", LocalDate.of(1815, 12, 10),
                new BigDecimal("1234.50")));

        Patient loaded = emf.unwrap(SessionFactory.class).fromTransaction(s -> s.find(Patient.class, id));

        assertThat(loaded.nationalId).isEqualTo("123-45-6789");
        assertThat(loaded.email).isEqualTo("ada@example.org");
        assertThat(loaded.dateOfBirth).isEqualTo(LocalDate.of(1815, 12, 10));
        assertThat(loaded.balance).isEqualTo(new BigDecimal("1234.50"));
        assertThat(loaded.nationalIdSeenAtPostLoad).isEqualTo("123-45-6789");
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select name, nationalId, email, dateOfBirth, balance from Patient"
                        + " where id = " + id)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("name")).isEqualTo("Ada");
            byte[] nationalId = rs.getBytes("nationalId");
            assertThat(Envelope.isWellFormed(nationalId)).isTrue();
            assertThat(new String(nationalId, StandardCharsets.ISO_8859_1)).doesNotContain("123-45-6789");
            assertThat(Envelope.isWellFormedText(rs.getString("email"))).isTrue();
            assertThat(rs.getString("email")).doesNotContain("ada@");
            assertThat(Envelope.isWellFormed(rs.getBytes("dateOfBirth"))).isTrue();
            assertThat(Envelope.isWellFormed(rs.getBytes("balance"))).isTrue();
        }
    }
}
