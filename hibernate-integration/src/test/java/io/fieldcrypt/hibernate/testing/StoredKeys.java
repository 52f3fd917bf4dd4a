package io.fieldcrypt.hibernate.testing;

import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Unwraps rows of the data key table the way docs/FORMAT.md and docs/SCHEMA.md describe them, independently of the
 * engine: for tests that forge values or search output for key bytes.
 */
public final class StoredKeys {

    private StoredKeys() {}

    /**
     * @param connection a connection to the database of the table {@code fieldcrypt_data_key}
     * @param provider the key provider that holds the master keys
     * @param id a row's id
     * @return the plaintext key of that row: a data key (wrapped under a scope key or a master key), a scope key or a
     *     blind index root key
     */
    public static byte[] plaintext(Connection connection, KeyProvider provider, long id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("select scope, master_key_id, encrypted_key,"
                + " encryption_context->>'fieldcrypt:key-group', encryption_context->>'fieldcrypt:made-under'"
                + " from fieldcrypt_data_key where id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no key row " + id);
                }
                String scope = rs.getString(1);
                WrappedDataKey wrapped = new WrappedDataKey(rs.getString(2), rs.getBytes(3));
                String group = rs.getString(4);
                if (wrapped.scopeKeyId().isPresent()) {
                    long scopeKeyId = wrapped.scopeKeyId().getAsLong();
                    return unwrapUnderScopeKey(
                            plaintext(connection, provider, scopeKeyId), scopeKeyId, scope, wrapped.encryptedKey());
                }
                Map<String, String> context;
                if (group != null) {
                    context = Map.of("fieldcrypt:purpose", "blind-index-root", "fieldcrypt:key-group", group);
                } else if (scope.startsWith("fieldcrypt:scope-key:")) {
                    context = Map.of(
                            "fieldcrypt:purpose",
                            "scope-key",
                            "fieldcrypt:scope",
                            scope.substring("fieldcrypt:scope-key:".length()),
                            "fieldcrypt:made-under",
                            rs.getString(5));
                } else {
                    context = Map.of("fieldcrypt:scope", scope);
                }
                DataKeyMaterial key = provider.decryptDataKey(wrapped, context).plaintext();
                return key.getEncoded();
            }
        }
    }

    private static byte[] unwrapUnderScopeKey(byte[] scopeKey, long scopeKeyId, String scope, byte[] wrapped) {
        byte[] label = "fieldcrypt scope key wrap v1".getBytes(StandardCharsets.US_ASCII);
        byte[] scopeBytes = scope.getBytes(StandardCharsets.UTF_8);
        byte[] aad = ByteBuffer.allocate(label.length + 4 + scopeBytes.length + 8)
                .put(label)
                .putInt(scopeBytes.length)
                .put(scopeBytes)
                .putLong(scopeKeyId)
                .array();
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(
                    Cipher.DECRYPT_MODE,
                    new SecretKeySpec(scopeKey, "AES"),
                    new GCMParameterSpec(128, Arrays.copyOfRange(wrapped, 1, 13)));
            gcm.updateAAD(aad);
            return gcm.doFinal(wrapped, 13, wrapped.length - 13);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("key wrapped under scope key " + scopeKeyId + " does not unwrap", e);
        }
    }
}
