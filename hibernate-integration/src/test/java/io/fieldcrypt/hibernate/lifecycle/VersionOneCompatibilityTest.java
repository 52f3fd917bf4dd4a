package io.fieldcrypt.hibernate.lifecycle;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.hibernate.ReEncryptReport;
import io.fieldcrypt.hibernate.lifecycle.model.Legacy;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.hibernate.testing.StoredKeys;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Values written by a release that wrote envelope format version 1 (no table in the associated data) stay
 * readable, are counted by {@code status()}, and are rewritten as version 2 by an update and by {@code reEncrypt()}.
 * The version 1 envelopes are built here from {@code docs/FORMAT.md} with {@code javax.crypto}, under the data key
 * the factory made, not with production code.
 */
@ExtendWith(TestPostgres.class)
class VersionOneCompatibilityTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static final String SCOPE = "lc_legacy.secret";

    @Test
    void versionOneValues_loadCountUpdateAndReEncrypt_allEndAsVersionTwo(TestDatabase db) throws Exception {
        try (SessionFactory sf =
                Factories.build(db, Factories.local(KEYS, "k1"), Legacy.class).unwrap(SessionFactory.class)) {
            List<Long> ids = sf.fromTransaction(s -> {
                List<Long> made = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Legacy legacy = new Legacy("row-" + i, "written as v2 " + i);
                    s.persist(legacy);
                    made.add(legacy.id);
                }
                return made;
            });
            for (int i = 0; i < 3; i++) {
                RawColumns.write(
                        db, "lc_legacy", "secret", ids.get(i), versionOne(db, ids.get(i), "legacy secret " + i));
            }
            assertThat(RawColumns.read(db, "lc_legacy", "secret", ids.get(0))[1])
                    .isEqualTo((byte) 1);
            sf.getCache().evictAllRegions();

            for (int i = 0; i < 3; i++) {
                assertThat(secret(sf, ids.get(i))).isEqualTo("legacy secret " + i);
            }
            assertThat(secret(sf, ids.get(3))).isEqualTo("written as v2 3");
            assertThat(FieldCrypt.of(sf).status().valuesUnderRetiredKeys()).containsEntry("Legacy.secret", 3L);

            sf.inTransaction(s -> s.find(Legacy.class, ids.get(0)).label = "renamed");

            assertThat(RawColumns.read(db, "lc_legacy", "secret", ids.get(0))[1])
                    .isEqualTo((byte) 2);
            assertThat(secret(sf, ids.get(0))).isEqualTo("legacy secret 0");
            assertThat(FieldCrypt.of(sf).status().valuesUnderRetiredKeys()).containsEntry("Legacy.secret", 2L);

            ReEncryptReport report = FieldCrypt.of(sf).reEncrypt();

            assertThat(report.scanned()).isEqualTo(2);
            assertThat(report.reEncrypted()).isEqualTo(2);
            assertThat(report.unreadable()).isZero();
            assertThat(report.remaining()).isZero();
            assertThat(FieldCrypt.of(sf).status().valuesUnderRetiredKeys()).containsEntry("Legacy.secret", 0L);
            for (int i = 0; i < 3; i++) {
                assertThat(RawColumns.read(db, "lc_legacy", "secret", ids.get(i))[1])
                        .isEqualTo((byte) 2);
            }
            sf.getCache().evictAllRegions();
            for (int i = 0; i < 3; i++) {
                assertThat(secret(sf, ids.get(i))).isEqualTo("legacy secret " + i);
            }
        }
    }

    /** Once migrated, version 1 can be switched off: an old version 1 copy put back is then refused. */
    @Test
    void versionOneSwitchedOff_oldCopyPutBack_refused(TestDatabase shared) throws Exception {
        TestDatabase db = shared.newSchema("lc_v1_off");
        long id;
        byte[] oldCopy;
        try (SessionFactory sf =
                Factories.build(db, Factories.local(KEYS, "k1"), Legacy.class).unwrap(SessionFactory.class)) {
            Legacy legacy = new Legacy("row", "v2 value");
            sf.inTransaction(s -> s.persist(legacy));
            id = legacy.id;
            oldCopy = versionOne(db, id, "legacy secret");
        }
        Map<String, Object> strict = Factories.local(KEYS, "k1");
        strict.put(FieldCryptSettings.ENVELOPE_ACCEPT_VERSION_1, "false");
        try (SessionFactory sf = Factories.build(db, strict, Legacy.class).unwrap(SessionFactory.class)) {
            assertThat(secret(sf, id)).isEqualTo("v2 value");
            RawColumns.write(db, "lc_legacy", "secret", id, oldCopy);
            sf.getCache().evictAllRegions();

            assertThatThrownBy(() -> secret(sf, id))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("cannot decrypt Legacy.secret of Legacy#" + id + ": envelope format version 1 is no"
                            + " longer accepted (it does not bind the table); a version 1 value is either old data"
                            + " that was never re-encrypted or a copy from elsewhere");
        }
    }

    private static String secret(SessionFactory sf, long id) {
        return sf.fromTransaction(s -> s.find(Legacy.class, id).secret);
    }

    /** A version 1 envelope of {@code plaintext} for {@code Legacy.secret} of row {@code id}, per docs/FORMAT.md. */
    private static byte[] versionOne(TestDatabase db, long id, String plaintext)
            throws SQLException, GeneralSecurityException {
        long keyId;
        try (Connection c = db.connect();
                PreparedStatement select =
                        c.prepareStatement("select id from fieldcrypt_data_key where scope = ? and state = 'ACTIVE'")) {
            select.setString(1, SCOPE);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                keyId = rs.getLong(1);
                assertThat(rs.next()).isFalse();
            }
        }
        byte[] header = ByteBuffer.allocate(11)
                .put((byte) 0xFC)
                .put((byte) 0x01)
                .put((byte) 0x01)
                .putLong(keyId)
                .array();
        ByteArrayOutputStream aad = new ByteArrayOutputStream();
        aad.writeBytes(header);
        for (String part : List.of("Legacy", "secret", Long.toString(id))) {
            byte[] utf8 = part.getBytes(UTF_8);
            aad.writeBytes(ByteBuffer.allocate(4).putInt(utf8.length).array());
            aad.writeBytes(utf8);
        }
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        try (KeyProvider provider = KeyProviders.local(KEYS);
                Connection c = db.connect()) {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(
                    Cipher.ENCRYPT_MODE,
                    new SecretKeySpec(StoredKeys.plaintext(c, provider, keyId), "AES"),
                    new GCMParameterSpec(128, nonce));
            gcm.updateAAD(aad.toByteArray());
            byte[] sealed = gcm.doFinal(plaintext.getBytes(UTF_8));
            return ByteBuffer.allocate(header.length + nonce.length + sealed.length)
                    .put(header)
                    .put(nonce)
                    .put(sealed)
                    .array();
        }
    }
}
