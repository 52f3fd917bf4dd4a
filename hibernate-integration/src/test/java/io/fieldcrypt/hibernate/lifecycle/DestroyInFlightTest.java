package io.fieldcrypt.hibernate.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.hibernate.DestroyReport;
import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.ReEncryptReport;
import io.fieldcrypt.hibernate.RetiredKeysInUseException;
import io.fieldcrypt.hibernate.lifecycle.model.LedgerEntry;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.hibernate.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A value sealed and flushed but not yet committed is invisible to the usage scan of
 * {@code destroyRetiredDataKeys}: the open transaction that holds it must keep its data key alive.
 */
@ExtendWith(TestPostgres.class)
class DestroyInFlightTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    @Test
    void destroy_valueFlushedInOpenTransaction_refusedUntilCommittedAndReEncrypted(TestDatabase db)
            throws SQLException {
        try (EntityManagerFactory emf = Factories.build(db, Factories.local(KEYS, "k1"), LedgerEntry.class)) {
            FieldCrypt admin = FieldCrypt.of(emf);
            long id;
            long key;
            EntityManager inFlight = emf.createEntityManager();
            try {
                inFlight.getTransaction().begin();
                LedgerEntry entry = new LedgerEntry("42.00 EUR");
                inFlight.persist(entry);
                inFlight.flush();
                id = entry.id;
                key = Envelope.parse(uncommittedAmount(inFlight, id)).dataKeyId();

                assertThat(admin.rotateDataKeys().retired()).isEqualTo(1);

                assertThatThrownBy(() -> admin.destroyRetiredDataKeys(Duration.ZERO))
                        .isInstanceOf(RetiredKeysInUseException.class)
                        .hasMessageStartingWith(
                                "cannot destroy retired data keys: 1 open transaction(s) began" + " before ")
                        .hasMessageContaining("(the keys' last possible use plus PT1M)")
                        .hasMessageEndingWith("they may still commit values under the keys. Retry once they have"
                                + " ended (see pg_stat_activity)");
                assertThat(keyExists(db, key)).isTrue();

                inFlight.getTransaction().commit();
            } finally {
                if (inFlight.getTransaction().isActive()) {
                    inFlight.getTransaction().rollback();
                }
                inFlight.close();
            }

            assertThatThrownBy(() -> admin.destroyRetiredDataKeys(Duration.ZERO))
                    .isInstanceOf(RetiredKeysInUseException.class)
                    .hasMessage("cannot destroy retired data keys: 1 stored values still use them"
                            + " (LedgerEntry.amount: 1 values (data keys [" + key + "])); destroying the keys would"
                            + " make those values unreadable forever. Run reEncrypt() until it reports 0 remaining,"
                            + " then destroy");

            ReEncryptReport moved = admin.reEncrypt();
            assertThat(moved.reEncrypted()).isEqualTo(1);
            assertThat(moved.remaining()).isZero();

            DestroyReport destroyed = admin.destroyRetiredDataKeys(Duration.ZERO);

            assertThat(destroyed.destroyed())
                    .as("the data key and its scope key")
                    .contains(key)
                    .hasSize(2);
            assertThat(keyExists(db, key)).isFalse();
            EntityManager reader = emf.createEntityManager();
            try {
                assertThat(reader.find(LedgerEntry.class, id).amount).isEqualTo("42.00 EUR");
            } finally {
                reader.close();
            }
        }
    }

    /** The stored envelope as the open transaction itself sees it, on its own connection. */
    private static byte[] uncommittedAmount(EntityManager em, long id) {
        return em.unwrap(Session.class).doReturningWork(connection -> {
            try (PreparedStatement select = connection.prepareStatement("select amount from lc_ledger where id = ?")) {
                select.setLong(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    return rs.getBytes(1);
                }
            }
        });
    }

    private static boolean keyExists(TestDatabase db, long key) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement select = c.prepareStatement("select 1 from fieldcrypt_data_key where id = ?")) {
            select.setLong(1, key);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }
}
