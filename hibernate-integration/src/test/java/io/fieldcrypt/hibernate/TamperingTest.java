package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DataKeyNotFoundException;
import io.fieldcrypt.DataKeyStores;
import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.Envelope;
import io.fieldcrypt.EnvelopeFormatException;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.SchemaMode;
import io.fieldcrypt.hibernate.model.Clinician;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A ciphertext moved, altered or orphaned by someone with write access to the database fails loudly on load. */
@ExtendWith(TestPostgres.class)
class TamperingTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static TestDatabase db;
    private static SessionFactory sf;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = Factories.build(db, Factories.local(KEYS, "k1"), Patient.class, Clinician.class)
                .unwrap(SessionFactory.class);
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    private static Long patient(String nationalId, String insuranceNumber) {
        return sf.fromTransaction(s -> {
            Patient patient = new Patient("P", nationalId, "p@example.org", LocalDate.of(2000, 1, 1), BigDecimal.TEN);
            patient.insuranceNumber = insuranceNumber;
            s.persist(patient);
            return patient.id;
        });
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static void assertLoadRefused(ThrowingCallable load, String messageStart, String secret) {
        assertThatThrownBy(load)
                .isInstanceOf(DecryptionException.class)
                .hasMessageStartingWith(messageStart)
                .hasMessageNotContaining(secret)
                .satisfies(e -> assertThat(e.getCause()).isInstanceOf(DecryptionException.class));
    }

    @Test
    void ciphertextSwappedBetweenRows_loadFails() throws SQLException {
        Long victim = patient("111-11-1111", null);
        Long other = patient("222-22-2222", null);

        sql("update Patient set nationalId = (select nationalId from Patient where id = " + other + ") where id = "
                + victim);

        assertLoadRefused(
                () -> sf.inTransaction(s -> s.find(Patient.class, victim)),
                "cannot decrypt Patient.nationalId of Patient#" + victim
                        + ": decryption failed: authentication tag mismatch",
                "222-22-2222");
        String untouched = sf.fromTransaction(s -> s.find(Patient.class, other).nationalId);
        assertThat(untouched).isEqualTo("222-22-2222");
    }

    @Test
    void ciphertextCopiedToAnotherColumnOfTheRow_loadFails() throws SQLException {
        Long id = patient("333-33-3333", "INS-1");

        sql("update Patient set insuranceNumber = nationalId where id = " + id);

        assertLoadRefused(
                () -> sf.inTransaction(s -> s.find(Patient.class, id)),
                "cannot decrypt Patient.insuranceNumber of Patient#" + id,
                "333-33-3333");
    }

    @Test
    void ciphertextCopiedToAnotherEntityWithSameIdAndColumn_loadFails() throws SQLException {
        Long id = patient("444-44-4444", null);
        sf.inTransaction(s -> s.persist(new Clinician(id, "555-55-5555")));

        sql("update Clinician set nationalId = (select nationalId from Patient where id = " + id + ") where id = "
                + id);

        assertLoadRefused(
                () -> sf.inTransaction(s -> s.find(Clinician.class, id)),
                "cannot decrypt Clinician.nationalId of Clinician#" + id,
                "444-44-4444");
    }

    @Test
    void flippedByte_loadFails() throws SQLException {
        Long id = patient("666-66-6666", null);

        sql("update Patient set nationalId = set_byte(nationalId, 30, get_byte(nationalId, 30) # 1) where id = " + id);

        assertLoadRefused(
                () -> sf.inTransaction(s -> s.find(Patient.class, id)),
                "cannot decrypt Patient.nationalId of Patient#" + id + ": decryption failed: authentication tag"
                        + " mismatch",
                "666-66-6666");
    }

    @Test
    void truncatedEnvelope_loadFails() throws SQLException {
        Long id = patient("777-77-7777", null);

        sql("update Patient set nationalId = substring(nationalId from 1 for 30) where id = " + id);

        assertLoadRefused(
                () -> sf.inTransaction(s -> s.find(Patient.class, id)),
                "cannot decrypt Patient.nationalId of Patient#" + id + ": not an envelope: too short",
                "777");
    }

    @Test
    void plaintextWrittenBehindTheApplicationsBack_loadFails() throws SQLException {
        Long id = patient("888-88-8888", null);
        try (Connection c = db.connect();
                PreparedStatement st = c.prepareStatement("update Patient set email = ? where id = ?")) {
            st.setString(1, "mallory@example.org");
            st.setLong(2, id);
            st.executeUpdate();
        }

        assertLoadRefused(
                () -> sf.inTransaction(s -> s.find(Patient.class, id)),
                "cannot decrypt Patient.email of Patient#" + id + ": the stored value has no envelope marker (fc1:)",
                "mallory");
    }

    @Test
    void dataKeyRowDeleted_loadFailsNamingTheKey() throws SQLException {
        Long id = patient("999-99-9999", null);
        long keyId;
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                var rs = st.executeQuery("select nationalId from Patient where id = " + id)) {
            rs.next();
            keyId = Envelope.parse(rs.getBytes(1)).dataKeyId();
        }
        try (SessionFactory cold = Factories.build(db, Factories.local(KEYS, "k1"), Patient.class, Clinician.class)
                .unwrap(SessionFactory.class)) {
            sql("delete from fieldcrypt_data_key where id = " + keyId);

            assertThatThrownBy(() -> cold.inTransaction(s -> s.find(Patient.class, id)))
                    .isInstanceOf(DataKeyNotFoundException.class)
                    .hasMessage("cannot decrypt Patient.nationalId of Patient#" + id + ": data key " + keyId
                            + " not found in table fieldcrypt_data_key: it was destroyed, or the table does not"
                            + " belong to the data being read")
                    .satisfies(e -> assertThat(((DataKeyNotFoundException) e).dataKeyId())
                            .isEqualTo(keyId));
        }
    }

    @Test
    void truncatedEnvelope_keepsItsExceptionType() throws SQLException {
        Long id = patient("121-21-2121", null);

        sql("update Patient set nationalId = substring(nationalId from 1 for 30) where id = " + id);

        assertThatThrownBy(() -> sf.inTransaction(s -> s.find(Patient.class, id)))
                .isInstanceOf(EnvelopeFormatException.class);
    }

    /**
     * A value that opens but does not decode (sealed by someone holding a data key, with bytes that are no date):
     * the error says so without the parser's message, which would quote the plaintext.
     */
    @Test
    void openedBytesThatDoNotDecode_failWithoutTheParsersMessage() throws SQLException {
        Long id = patient("131-31-3131", null);
        String scope;
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                var rs = st.executeQuery("select scope from fieldcrypt_data_key where scope like '%.dateOfBirth'"
                        + " and scope not like 'fieldcrypt:%' limit 1")) {
            scope = rs.next() ? rs.getString(1) : "Patient.dateOfBirth";
        }
        byte[] forged;
        try (FieldEncryptor insider = FieldEncryptor.builder()
                .keyProvider(KeyProviders.local(KEYS))
                .masterKeyId("k1")
                .dataKeyStore(DataKeyStores.postgres(
                        ConnectionSource.of(db.dataSource()), DataKeyStores.DEFAULT_TABLE, SchemaMode.NONE))
                .build()) {
            forged = insider.seal(
                    scope,
                    FieldContext.of("Patient", "Patient", "dateOfBirth", id.toString()),
                    "1815-12-1x secret".getBytes(StandardCharsets.UTF_8));
        }
        try (Connection c = db.connect();
                PreparedStatement st = c.prepareStatement("update Patient set dateOfBirth = ? where id = ?")) {
            st.setBytes(1, forged);
            st.setLong(2, id);
            st.executeUpdate();
        }

        assertThatThrownBy(() -> sf.inTransaction(s -> s.find(Patient.class, id)))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("cannot decrypt Patient.dateOfBirth of Patient#" + id + ": the decrypted bytes are not a"
                        + " LocalDate")
                .hasNoCause();
    }
}
