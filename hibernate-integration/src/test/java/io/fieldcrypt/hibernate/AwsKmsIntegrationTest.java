package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.KmsWireServer;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.RollbackException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The Hibernate integration on the AWS KMS provider, through the real KmsClient and the KMS wire server: how many
 * KMS calls rows cost, and what happens when KMS cannot be reached.
 */
@ExtendWith(TestPostgres.class)
class AwsKmsIntegrationTest {

    private static KmsWireServer kms;
    private static KmsClient client;
    private static String keyArn;
    private static TestDatabase db;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        kms = KmsWireServer.start();
        client = kms.newClient();
        keyArn = kms.createKey();
        kms.createAlias("alias/patients", keyArn);
    }

    @AfterAll
    static void stop() {
        client.close();
        kms.close();
    }

    private static SessionFactory factory(TestDatabase database) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(FieldCryptSettings.KMS_PROVIDER, "aws");
        settings.put(FieldCryptSettings.KMS_KEY_ID, "alias/patients");
        settings.put(FieldCryptSettings.KMS_CLIENT, client);
        return Factories.build(database, settings, Patient.class).unwrap(SessionFactory.class);
    }

    private static Patient patient(int i) {
        Patient patient = new Patient(
                "p" + i, "id-" + i, "p" + i + "@example.org", LocalDate.of(1990, 1, 1), BigDecimal.valueOf(i));
        patient.insuranceNumber = "INS-" + i;
        return patient;
    }

    @Test
    void hundredRows_oneDataKeyPerColumn_coldReadUnwrapsEachOnce() {
        kms.resetCounts();
        try (SessionFactory sf = factory(db)) {
            sf.inTransaction(s -> {
                for (int i = 0; i < 100; i++) {
                    s.persist(patient(i));
                }
            });
            assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(5);
            assertThat(kms.requestCount("DescribeKey")).isEqualTo(1);
            assertThat(FieldCrypt.of(sf).stats().generateDataKeyCalls()).isEqualTo(5);
        }
        kms.resetCounts();
        try (SessionFactory cold = factory(db)) {
            long read = cold.fromTransaction(
                    s -> s.createSelectionQuery("from Patient", Patient.class).getResultList().stream()
                            .filter(p -> p.nationalId.startsWith("id-"))
                            .count());

            assertThat(read).isEqualTo(100);
            assertThat(kms.requestCount("Decrypt")).isEqualTo(5);
            assertThat(kms.requestCount("GenerateDataKey")).isZero();
        }
    }

    @Test
    void kmsUnreachable_transactionFailsAndNothingIsStored() throws SQLException {
        TestDatabase isolated = db.newSchema("kms_down");
        try (SessionFactory sf = factory(isolated)) {
            kms.failNext(1000);
            try {
                assertThatThrownBy(() -> sf.inTransaction(s -> s.persist(patient(1))))
                        .isInstanceOf(RollbackException.class)
                        .cause()
                        .isInstanceOf(KeyProviderException.class)
                        .hasMessageContaining("failed inside KMS (KmsInternalException); retry later")
                        .extracting(e -> ((KeyProviderException) e).reason())
                        .isEqualTo(KeyProviderException.Reason.UNAVAILABLE);
            } finally {
                kms.failNext(0);
            }
            try (Connection c = isolated.connect();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            "select (select count(*) from Patient)," + " (select count(*) from fieldcrypt_data_key)")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
                assertThat(rs.getInt(2)).isZero();
            }

            sf.inTransaction(s -> s.persist(patient(2)));
            String nationalId = sf.fromTransaction(
                    s -> s.createSelectionQuery("from Patient", Patient.class).getSingleResult().nationalId);
            assertThat(nationalId).isEqualTo("id-2");
        }
    }
}
