package io.fieldcrypt.hibernate.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.hibernate.RetiredKeysInUseException;
import io.fieldcrypt.hibernate.lifecycle.model.LedgerEntry;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What destroy must not assume: that every instance has this one's maximum age, and that it can see every other
 * session's transactions.
 */
@ExtendWith(TestPostgres.class)
class DestroyGuardsTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    /**
     * An instance with a maximum age of one hour may encrypt with its key for an hour after making it, whatever the
     * instance running destroy is configured with. Time passing is simulated by moving the retirement into the past.
     */
    @Test
    void destroy_keyOfInstanceWithLongerMaxAge_refusedUntilItsRecordedExpiry(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("guards_expiry");
        Map<String, Object> slow = Factories.local(KEYS, "k1");
        slow.put(FieldCryptSettings.DATA_KEY_MAX_AGE, "PT1H");
        try (EntityManagerFactory hourly = Factories.build(db, slow, LedgerEntry.class);
                EntityManagerFactory fast = Factories.build(db, Factories.local(KEYS, "k1"), LedgerEntry.class)) {
            hourly.runInTransaction(em -> em.persist(new LedgerEntry("1.00 EUR")));
            FieldCrypt admin = FieldCrypt.of(fast);
            assertThat(admin.rotateDataKeys().retired()).isEqualTo(1);
            admin.reEncrypt();
            execute(
                    db,
                    "update fieldcrypt_data_key set retired_at = now() - interval '10 minutes'"
                            + " where state = 'RETIRED'");

            // Retired ten minutes ago, twice this factory's maximum age: only the recorded expiry keeps it alive.
            assertThatThrownBy(admin::destroyRetiredDataKeys)
                    .isInstanceOf(RetiredKeysInUseException.class)
                    .hasMessageStartingWith("cannot destroy retired data keys yet: an instance may still encrypt new"
                            + " values with one of keys [")
                    .hasMessageContaining("(database time: the expiry recorded when the key was made, from that"
                            + " instance's fieldcrypt.data-key.max-age)");

            execute(
                    db,
                    "update fieldcrypt_data_key set expires_at = now() - interval '2 minutes'"
                            + " where state = 'RETIRED'");
            assertThat(admin.destroyRetiredDataKeys().destroyed())
                    .as("the data key and its scope key")
                    .hasSize(2);
        }
    }

    /**
     * A role without pg_read_all_stats sees other roles' sessions without their transaction start: destroy refuses
     * rather than take them for idle.
     */
    @Test
    void destroy_otherSessionsHiddenFromItsRole_refusedUntilPrivilegeGranted(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("guards_hidden");
        String role = "fc_destroy_ops";
        execute(db, "do $$ begin create role " + role + " login; exception when duplicate_object then null; end $$");
        execute(db, "grant usage, create on schema " + db.schema() + " to " + role);
        execute(db, "alter default privileges in schema " + db.schema() + " grant all on tables to " + role);
        execute(db, "alter default privileges in schema " + db.schema() + " grant all on sequences to " + role);
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        // The embedded server's URL names its superuser; the factory connects as the unprivileged role instead.
        settings.put("jakarta.persistence.jdbc.url", db.jdbcUrl().replaceAll("([?&])user=[^&]*", "$1user=" + role));
        settings.put("jakarta.persistence.jdbc.user", role);
        settings.put("jakarta.persistence.jdbc.password", "");
        try (EntityManagerFactory emf = Factories.build(db, settings, LedgerEntry.class);
                Connection other = db.connect()) {
            FieldCrypt admin = FieldCrypt.of(emf);
            Object user = emf.callInTransaction(
                    em -> em.createNativeQuery("select current_user").getSingleResult());
            assertThat(user).isEqualTo(role);
            emf.runInTransaction(em -> em.persist(new LedgerEntry("2.00 EUR")));
            admin.rotateDataKeys();
            admin.reEncrypt();
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                st.execute("select 1");
            }

            assertThatThrownBy(() -> admin.destroyRetiredDataKeys(Duration.ZERO))
                    .isInstanceOf(RetiredKeysInUseException.class)
                    .hasMessageStartingWith("cannot destroy retired data keys: ")
                    .hasMessageEndingWith(" other sessions of this database are hidden from pg_stat_activity"
                            + " (insufficient privilege), so transactions that may still commit values under the"
                            + " keys cannot be ruled out. Grant pg_read_all_stats to the role that runs destroy, or"
                            + " run it as the application's role");

            execute(db, "grant pg_read_all_stats to " + role);
            assertThatThrownBy(() -> admin.destroyRetiredDataKeys(Duration.ZERO))
                    .isInstanceOf(RetiredKeysInUseException.class)
                    .hasMessageStartingWith("cannot destroy retired data keys: 1 open transaction(s) began before ");

            other.rollback();
            assertThat(admin.destroyRetiredDataKeys(Duration.ZERO).destroyed())
                    .as("the data key and its scope key")
                    .hasSize(2);
        } finally {
            execute(db, "revoke pg_read_all_stats from " + role);
        }
    }

    private static void execute(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static long count(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
