package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.RewrapReport;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.KmsWireServer;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;

/** Master key rotation: rewrap every data key from K1 to K2 through KMS ReEncrypt, without touching a row. */
@ExtendWith(TestPostgres.class)
class RewrapTest {

    private static SessionFactory factory(TestDatabase db, KmsClient client, String keyId, String... trusted) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(FieldCryptSettings.KMS_PROVIDER, "aws");
        settings.put(FieldCryptSettings.KMS_KEY_ID, keyId);
        settings.put(FieldCryptSettings.KMS_TRUSTED_KEY_IDS, String.join(",", trusted));
        settings.put(FieldCryptSettings.KMS_CLIENT, client);
        return Factories.build(db, settings, Patient.class).unwrap(SessionFactory.class);
    }

    @Test
    void rewrapToNewMasterKey_oldKeyDisabled_everythingStillReadsAndRowsUnchanged(TestDatabase db) throws SQLException {
        try (KmsWireServer kms = KmsWireServer.start();
                KmsClient client = kms.newClient()) {
            String k1 = kms.createKey();
            String k2 = kms.createKey();
            try (SessionFactory old = factory(db, client, k1)) {
                old.inTransaction(s -> {
                    for (int i = 0; i < 20; i++) {
                        Patient patient = new Patient(
                                "p" + i, "id-" + i, "p" + i + "@example.org", LocalDate.of(1970, 1, 1), BigDecimal.ONE);
                        patient.insuranceNumber = "INS-" + i;
                        s.persist(patient);
                    }
                });
                FieldCrypt.of(old).rotateDataKeys();
                old.inTransaction(s -> s.persist(new Patient("late", "id-late", null, null, null)));
            }
            List<String> rowsBefore = rawRows(db);

            RewrapReport report;
            try (SessionFactory untrusting = factory(db, client, k2)) {
                assertThatThrownBy(() -> untrusting.fromTransaction(s -> s.find(Patient.class, 1L)))
                        .isInstanceOf(DecryptionException.class)
                        .hasMessageContaining("is wrapped under master key " + k1 + ", which is not a trusted master"
                                + " key; refusing to unwrap it");
            }
            // The runbook: the new key is current, the old one trusted until every data key is rewrapped.
            try (SessionFactory current = factory(db, client, k2, k1)) {
                report = FieldCrypt.of(current).rewrapDataKeys();
                assertThat(FieldCrypt.of(current).rewrapDataKeys().alreadyCurrent())
                        .isEqualTo(6);
            }

            assertThat(report.rewrapped()).isEqualTo(6);
            assertThat(report.failed()).isZero();
            assertThat(rawRows(db)).isEqualTo(rowsBefore);
            kms.disableKey(k1);
            kms.resetCounts();
            try (SessionFactory cold = factory(db, client, k2)) {
                List<Patient> all =
                        cold.fromTransaction(s -> s.createSelectionQuery("from Patient order by id", Patient.class)
                                .getResultList());

                assertThat(all).hasSize(21);
                assertThat(all.get(0).nationalId).isEqualTo("id-0");
                assertThat(all.get(20).nationalId).isEqualTo("id-late");
                assertThat(kms.requestCount("Decrypt", k1)).isZero();
                assertThat(kms.requestCount("Decrypt", k2)).isEqualTo(6);
            }
        }
    }

    private static List<String> rawRows(TestDatabase db) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select id, encode(nationalId, 'hex'), email, encode(balance, 'hex'),"
                        + " encode(insuranceNumber, 'hex'), version from Patient order by id")) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= 6; i++) {
                    row.append(rs.getString(i)).append('|');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
