package io.fieldcrypt.hibernate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DataKeyStores;
import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.SchemaMode;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.testing.KmsWireServer;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A data key row is evidence, not truth. An attacker who can write the database and holds a KMS key of their own
 * (the application's role may decrypt under any key, as {@code kms:Decrypt} on {@code *} allows) plants a data key
 * row under their key and seals a value of their choosing with it; the application must refuse it, and
 * {@code rewrapDataKeys()} must not launder it under the real master key.
 */
@ExtendWith(TestPostgres.class)
class UntrustedKeyTest {

    private static SessionFactory factory(TestDatabase db, KmsClient client, String keyId, String trusted) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(FieldCryptSettings.KMS_PROVIDER, "aws");
        settings.put(FieldCryptSettings.KMS_KEY_ID, keyId);
        if (trusted != null) {
            settings.put(FieldCryptSettings.KMS_TRUSTED_KEY_IDS, trusted);
        }
        settings.put(FieldCryptSettings.KMS_CLIENT, client);
        return Factories.build(db, settings, Patient.class).unwrap(SessionFactory.class);
    }

    @Test
    void plantedKeyRowUnderAttackersKey_loadRefusedAndRewrapRefused(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("untrusted_1");
        try (KmsWireServer kms = KmsWireServer.start();
                KmsClient client = kms.newClient()) {
            String real = kms.createKey();
            String attackers = kms.createKey();
            long id;
            try (SessionFactory app = factory(db, client, real, null)) {
                Patient patient = new Patient("Ada", "756.1234.5678.97", null, null, null);
                app.inTransaction(s -> s.persist(patient));
                id = patient.id;

                long plantedKey = plant(db, client, attackers, id, "000.0000.0000.00");

                app.getCache().evictAllRegions();
                assertThatThrownBy(() -> app.fromTransaction(s -> s.find(Patient.class, id)))
                        .isInstanceOf(DecryptionException.class)
                        .hasMessage("cannot decrypt Patient.nationalId of Patient#" + id + ": scope key " + plantedKey
                                + " is wrapped under master key " + attackers + ", which is not a trusted master"
                                + " key; refusing to unwrap it. If that key is yours, add it to the trusted master"
                                + " keys");
                assertThat(kms.requestCount("Decrypt", attackers)).isZero();

                kms.resetCounts();
                assertThatThrownBy(() -> FieldCrypt.of(app).rewrapDataKeys())
                        .isInstanceOf(DecryptionException.class)
                        .hasMessageStartingWith("rewrap refused, nothing was rewrapped: 1 key(s) cannot be"
                                + " trusted [" + plantedKey + "]. The first: scope key " + plantedKey
                                + " is wrapped under master key " + attackers);
                assertThat(kms.requestCount("ReEncrypt")).isZero();
                assertThat(masterKeyOf(db, plantedKey)).isEqualTo(attackers);
            }
        }
    }

    /**
     * The planted row names the trusted master key, but its wrapped key was made under the attacker's: KMS refuses
     * it, and that is reported as a property of the stored row (tampering), not as a KMS fault; the re-encryption
     * job counts the value as unreadable and carries on instead of failing every run.
     */
    @Test
    void plantedKeyRowClaimingTheTrustedMasterKey_decryptionExceptionAndReEncryptionCarriesOn(TestDatabase shared)
            throws SQLException {
        TestDatabase db = shared.newSchema("untrusted_2");
        try (KmsWireServer kms = KmsWireServer.start();
                KmsClient client = kms.newClient()) {
            String real = kms.createKey();
            String attackers = kms.createKey();
            try (SessionFactory app = factory(db, client, real, null)) {
                Patient genuine = new Patient("Cy", "111", null, null, null);
                Patient victim = new Patient("Di", "222", null, null, null);
                app.inTransaction(s -> {
                    s.persist(genuine);
                    s.persist(victim);
                });
                long plantedKey = plant(db, client, attackers, victim.id, "999");
                try (Connection c = db.connect();
                        Statement st = c.createStatement()) {
                    st.execute(
                            "update fieldcrypt_data_key set master_key_id = '" + real + "' where id = " + plantedKey);
                }

                app.getCache().evictAllRegions();
                assertThatThrownBy(() -> app.fromTransaction(s -> s.find(Patient.class, victim.id)))
                        .isInstanceOf(DecryptionException.class)
                        .hasMessage("cannot decrypt Patient.nationalId of Patient#" + victim.id + ": scope key "
                                + plantedKey + " could not be unwrapped under master key " + real + ": its stored"
                                + " form or encryption context was altered");

                FieldCrypt admin = FieldCrypt.of(app);
                admin.rotateDataKeys();
                var report = admin.reEncrypt();
                assertThat(report.unreadable()).isEqualTo(1);
                assertThat(report.reEncrypted()).isEqualTo(1);
                assertThat(app.fromTransaction(s -> s.find(Patient.class, genuine.id)).nationalId)
                        .isEqualTo("111");
            }
        }
    }

    @Test
    void keyIdThatDoesNotExist_refusedAtBoot(TestDatabase shared) {
        TestDatabase db = shared.newSchema("untrusted_3");
        try (KmsWireServer kms = KmsWireServer.start();
                KmsClient client = kms.newClient()) {
            String real = kms.createKey();

            assertThatThrownBy(() -> factory(db, client, "alias/nope", null))
                    .satisfies(e -> assertThat(findConfiguration(e).getMessage())
                            .startsWith("fieldcrypt.kms.key-id or fieldcrypt.kms.trusted-key-ids names a master key"
                                    + " that cannot be used (KEY_NOT_FOUND): master key alias/nope cannot be used"));
            assertThatThrownBy(() -> factory(db, client, real, "alias/gone"))
                    .satisfies(e -> assertThat(findConfiguration(e).getMessage())
                            .contains("(KEY_NOT_FOUND): master key alias/gone cannot be used"));
        }
    }

    @Test
    void kmsUnreachableAtBoot_factoryBuildsAndResolvesLater(TestDatabase shared) {
        TestDatabase db = shared.newSchema("untrusted_4");
        try (KmsWireServer kms = KmsWireServer.start();
                KmsClient client = kms.newClient(1)) {
            kms.createKey();
            kms.createAlias("alias/app", kms.createKey());
            kms.failNext(1);

            try (SessionFactory app = factory(db, client, "alias/app", null)) {
                assertThat(kms.requestCount("DescribeKey")).isEqualTo(1);
                Patient patient = new Patient("Bo", "1", null, null, null);
                app.inTransaction(s -> s.persist(patient));
                assertThat(app.fromTransaction(s -> s.find(Patient.class, patient.id)).nationalId)
                        .isEqualTo("1");
                assertThat(kms.requestCount("DescribeKey")).isEqualTo(2);
            }
        }
    }

    /**
     * The attack: the attacker's own encryptor, on the same data key table, under the attacker's KMS key, seals a
     * value for a patient's national id and writes it into the row.
     *
     * @return the id of the planted data key row
     */
    /** Seals a value for the patient with a key of the attacker's; returns the planted row the application meets. */
    private static long plant(TestDatabase db, KmsClient client, String attackersKey, long patientId, String plaintext)
            throws SQLException {
        try (FieldEncryptor forger = FieldEncryptor.builder()
                .keyProvider(KeyProviders.awsKms(client))
                .masterKeyId(attackersKey)
                .dataKeyStore(DataKeyStores.postgres(
                        ConnectionSource.of(db.dataSource()), DataKeyStores.DEFAULT_TABLE, SchemaMode.NONE))
                .build()) {
            byte[] forged = forger.seal(
                    scopeOf(db, "nationalId"),
                    FieldContext.of("Patient", "Patient", "nationalId", Long.toString(patientId)),
                    plaintext.getBytes(UTF_8));
            RawColumns.write(db, "Patient", "nationalId", patientId, forged);
            // The forger's data key is wrapped under a scope key the forger made under its own master key: the row
            // the application refuses.
            String wrappedUnder =
                    masterKeyOf(db, io.fieldcrypt.Envelope.parse(forged).dataKeyId());
            return Long.parseLong(wrappedUnder.substring("fieldcrypt:key:".length()));
        }
    }

    private static ConfigurationException findConfiguration(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException configuration) {
                return configuration;
            }
        }
        throw new AssertionError("no ConfigurationException in " + e);
    }

    private static String scopeOf(TestDatabase db, String column) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select distinct scope from fieldcrypt_data_key where scope like '%."
                        + column + "' and scope not like 'fieldcrypt:%'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static String masterKeyOf(TestDatabase db, long key) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select master_key_id from fieldcrypt_data_key where id = " + key)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
