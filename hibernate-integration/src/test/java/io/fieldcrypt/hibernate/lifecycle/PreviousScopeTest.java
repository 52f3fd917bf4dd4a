package io.fieldcrypt.hibernate.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.Envelope;
import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.ReEncryptReport;
import io.fieldcrypt.hibernate.lifecycle.model.ScopedV1;
import io.fieldcrypt.hibernate.lifecycle.model.ScopedV2;
import io.fieldcrypt.hibernate.lifecycle.model.ScopedV3;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A data key opens only values of its own scope: after {@code Scoped.value} moved from scope {@code scoped.old} to
 * {@code scoped.new}, the old values open only while {@code previousScopes} names the old scope, and
 * {@code reEncrypt()} moves them onto keys of the new one.
 */
@ExtendWith(TestPostgres.class)
class PreviousScopeTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    private static SessionFactory factory(TestDatabase db, Class<?> mapping) {
        return Factories.build(db, Factories.local(KEYS, "k1"), mapping).unwrap(SessionFactory.class);
    }

    @Test
    void scopeChanged_previousScopeListedUntilReEncrypted_oldValuesOpenOnlyThroughIt(TestDatabase db)
            throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (SessionFactory v1 = factory(db, ScopedV1.class)) {
            v1.inTransaction(s -> {
                for (int i = 0; i < 3; i++) {
                    ScopedV1 scoped = new ScopedV1("value " + i);
                    s.persist(scoped);
                    ids.add(scoped.id);
                }
            });
        }
        long oldKey = keyOf(db, ids.get(0));
        assertThat(scopeOfKey(db, oldKey)).isEqualTo("scoped.old");

        try (SessionFactory v3 = factory(db, ScopedV3.class)) {
            assertThatThrownBy(() -> v3.inTransaction(s -> s.find(ScopedV3.class, ids.get(0))))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("cannot decrypt Scoped.value of Scoped#" + ids.get(0) + ": data key " + oldKey
                            + " belongs to scope scoped.old, not to scoped.new; refusing to use it")
                    .hasCauseInstanceOf(DecryptionException.class);
        }

        try (SessionFactory v2 = factory(db, ScopedV2.class)) {
            String first = v2.fromTransaction(s -> s.find(ScopedV2.class, ids.get(0)).value);
            assertThat(first).isEqualTo("value 0");
            assertThat(FieldCrypt.of(v2).status().valuesUnderRetiredKeys()).containsEntry("Scoped.value", 3L);

            ReEncryptReport report = FieldCrypt.of(v2).reEncrypt();

            assertThat(report.scanned()).isEqualTo(3);
            assertThat(report.reEncrypted()).isEqualTo(3);
            assertThat(report.unreadable()).isZero();
            assertThat(report.remaining()).isZero();
            assertThat(FieldCrypt.of(v2).status().valuesUnderRetiredKeys()).containsEntry("Scoped.value", 0L);
        }
        for (Long id : ids) {
            assertThat(scopeOfKey(db, keyOf(db, id))).isEqualTo("scoped.new");
        }

        try (SessionFactory v3 = factory(db, ScopedV3.class)) {
            List<String> values = v3.fromTransaction(
                    s -> s.createSelectionQuery("from Scoped order by id", ScopedV3.class).getResultList().stream()
                            .map(v -> v.value)
                            .toList());
            assertThat(values).containsExactly("value 0", "value 1", "value 2");
        }
    }

    private static long keyOf(TestDatabase db, long id) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement select = c.prepareStatement("select value from lc_scoped where id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return Envelope.parse(rs.getBytes(1)).dataKeyId();
            }
        }
    }

    private static String scopeOfKey(TestDatabase db, long key) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement select = c.prepareStatement("select scope from fieldcrypt_data_key where id = ?")) {
            select.setLong(1, key);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
