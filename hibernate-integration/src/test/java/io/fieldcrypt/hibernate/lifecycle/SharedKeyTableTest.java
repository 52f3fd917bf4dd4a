package io.fieldcrypt.hibernate.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.ReEncryptReport;
import io.fieldcrypt.hibernate.RetiredKeysInUseException;
import io.fieldcrypt.hibernate.lifecycle.model.BillingAccount;
import io.fieldcrypt.hibernate.lifecycle.model.ClinicPatient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two applications share one data key table ({@code fieldcrypt_data_key}), each mapping its own entity: the
 * lifecycle operations of one never touch the keys of the other.
 */
@ExtendWith(TestPostgres.class)
class SharedKeyTableTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static final String CLINIC_SCOPE = "lc_clinic_patient.diagnosis";
    private static final String BILLING_SCOPE = "lc_billing_account.iban";

    private static SessionFactory factory(TestDatabase db, Class<?> entity) {
        return Factories.build(db, Factories.local(KEYS, "k1"), entity).unwrap(SessionFactory.class);
    }

    @Test
    void sharedTable_clinicRotatesReEncryptsAndDestroys_billingKeysAndValuesSurvive(TestDatabase db)
            throws SQLException {
        List<Long> accounts = new ArrayList<>();
        try (SessionFactory clinic = factory(db, ClinicPatient.class);
                SessionFactory billing = factory(db, BillingAccount.class)) {
            ClinicPatient first = new ClinicPatient("flu");
            clinic.inTransaction(s -> s.persist(first));
            long clinicKey = keyOf(db, "select diagnosis from lc_clinic_patient where id = ?", first.id);
            billing.inTransaction(s -> {
                for (String iban : List.of("DE02100100100006820101", "FR7630006000011234567890189")) {
                    BillingAccount account = new BillingAccount(iban);
                    s.persist(account);
                    accounts.add(account.id);
                }
            });
            long billingKey = keyOf(db, "select iban from lc_billing_account where id = ?", accounts.get(0));

            assertThat(FieldCrypt.of(billing).rotateDataKeys().retired()).isEqualTo(1);

            assertThat(states(db))
                    .containsEntry(clinicKey, CLINIC_SCOPE + "=ACTIVE")
                    .containsEntry(billingKey, BILLING_SCOPE + "=RETIRED");

            ClinicPatient second = new ClinicPatient("measles");
            clinic.inTransaction(s -> s.persist(second));
            FieldCrypt admin = FieldCrypt.of(clinic);
            assertThat(admin.rotateDataKeys().retired()).isEqualTo(1);
            ReEncryptReport moved = admin.reEncrypt();
            assertThat(moved.reEncrypted()).isEqualTo(2);
            assertThat(moved.remaining()).isZero();

            assertThatThrownBy(() -> admin.destroyRetiredDataKeys(Duration.ZERO))
                    .isInstanceOf(RetiredKeysInUseException.class)
                    .hasMessage("cannot destroy retired data keys: the data key table fieldcrypt_data_key also"
                            + " holds retired keys of scopes this factory does not map {" + BILLING_SCOPE + "=2}."
                            + " They may belong to another application or persistence unit sharing the table, to an"
                            + " attribute removed from the model whose column still holds values, or to values"
                            + " copied elsewhere; fieldcrypt never destroys them. If you know why they are there,"
                            + " name those scopes in destroyRetiredDataKeys(minimumRetiredAge,"
                            + " unmappedScopesToIgnore) to destroy this factory's own retired keys");
            assertThat(states(db)).containsEntry(clinicKey, CLINIC_SCOPE + "=RETIRED");

            assertThat(admin.destroyRetiredDataKeys(Duration.ZERO, Set.of(BILLING_SCOPE))
                            .destroyed())
                    .as("the clinic's data key and its scope key")
                    .contains(clinicKey)
                    .hasSize(2);

            assertThat(states(db)).doesNotContainKey(clinicKey).containsEntry(billingKey, BILLING_SCOPE + "=RETIRED");
            List<String> diagnoses = clinic.fromTransaction(s -> s
                    .createSelectionQuery("select p from ClinicPatient p order by p.id", ClinicPatient.class)
                    .getResultList()
                    .stream()
                    .map(p -> p.diagnosis)
                    .toList());
            assertThat(diagnoses).containsExactly("flu", "measles");
        }
        try (SessionFactory billing = factory(db, BillingAccount.class)) {
            List<String> ibans = billing.fromTransaction(s -> accounts.stream()
                    .map(id -> s.find(BillingAccount.class, id).iban)
                    .toList());
            assertThat(ibans).containsExactly("DE02100100100006820101", "FR7630006000011234567890189");
        }
    }

    private static long keyOf(TestDatabase db, String select, long id) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement statement = c.prepareStatement(select)) {
            statement.setLong(1, id);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return Envelope.parse(rs.getBytes(1)).dataKeyId();
            }
        }
    }

    /** Every row of the data key table: id to {@code scope=STATE}. */
    private static Map<Long, String> states(TestDatabase db) throws SQLException {
        Map<Long, String> states = new TreeMap<>();
        try (Connection c = db.connect();
                PreparedStatement select = c.prepareStatement("select id, scope, state from fieldcrypt_data_key");
                ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                states.put(rs.getLong(1), rs.getString(2) + "=" + rs.getString(3));
            }
        }
        return states;
    }
}
