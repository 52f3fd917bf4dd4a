package io.fieldcrypt;

import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.WrappedDataKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Scope keys: the middle of the key hierarchy. Each data key scope has one active scope key per master key, made by
 * the key provider ({@code GenerateDataKey}) by whichever process needs it first and shared by every process. It is
 * stored wrapped under the master key in the data key table, under scope {@code fieldcrypt:scope-key:<scope>} and an
 * encryption context of its own purpose ({@code fieldcrypt:purpose = scope-key}), so it never unwraps as a data key
 * nor a data key as it. The context also names the master key it was made under ({@code fieldcrypt:made-under}),
 * which the key provider authenticates on every unwrap, also after a rewrap: new data keys are wrapped only under a
 * scope key made under the current master key, whatever the table says, so a new master key revokes every older
 * scope key for new data even against someone who can write the table. It never encrypts values: it only wraps the scope's data keys, which each process makes
 * locally (random 256-bit keys) and stores wrapped under it, named {@code fieldcrypt:key:<scope key id>}.
 *
 * <p>So the key provider is called once per scope key a process needs within the decryption key cache's age, not
 * once per data key: however many instances run and however much time the data spans.
 *
 * <p>Wrapped form ({@value #WRAPPED_BYTES} bytes): a version byte {@code 0x01}, a random 96-bit nonce, the
 * AES-256-GCM ciphertext of the 32-byte data key, and its 128-bit tag. The associated data binds it to its scope and
 * its scope key: the label {@code fieldcrypt scope key wrap v1}, the scope's UTF-8 length (4 bytes, big-endian) and
 * bytes, then the scope key's id (8 bytes, big-endian). A wrapped key moved to another scope or another scope key
 * fails to unwrap.
 */
final class ScopeKeys {

    static final String SCOPE_PREFIX = DataKeyCache.RESERVED_SCOPE_PREFIX + "scope-key:";
    static final String PURPOSE = "scope-key";
    static final String MADE_UNDER_CONTEXT_KEY = "fieldcrypt:made-under";

    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int KEY_BYTES = 32;
    private static final int TAG_BYTES = 16;
    static final int WRAPPED_BYTES = 1 + NONCE_BYTES + KEY_BYTES + TAG_BYTES;
    private static final byte[] LABEL = "fieldcrypt scope key wrap v1".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(ScopeKeys::newRandom);

    private ScopeKeys() {}

    /**
     * @param scope a data key scope
     * @return the data key table scope of its scope keys
     */
    static String scope(String scope) {
        return SCOPE_PREFIX + scope;
    }

    /** @return the data key scope whose scope key {@code storedScope} is, or {@code null} for any other scope */
    static String servedScopeOf(String storedScope) {
        return storedScope.startsWith(SCOPE_PREFIX) ? storedScope.substring(SCOPE_PREFIX.length()) : null;
    }

    /**
     * @param scope the data key scope the scope key serves
     * @param madeUnder the canonical id of the master key it was made under; it stays in the context when the key is
     *     rewrapped under another master key, so the key provider authenticates it on every unwrap
     * @return the encryption context a scope key of {@code scope} is wrapped under by the key provider
     */
    static Map<String, String> encryptionContext(String scope, String madeUnder) {
        return Map.of(
                BlindIndexKeys.PURPOSE_CONTEXT_KEY,
                PURPOSE,
                DataKeyCache.SCOPE_CONTEXT_KEY,
                scope,
                MADE_UNDER_CONTEXT_KEY,
                madeUnder);
    }

    /** @return a new random 256-bit data key */
    static DataKeyMaterial newDataKey() {
        byte[] bytes = new byte[KEY_BYTES];
        RANDOM.get().nextBytes(bytes);
        try {
            return DataKeyMaterial.copyOf(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * @param scopeKeyId the scope key's id
     * @param scopeKey the scope key
     * @param scope the data key's scope
     * @param dataKey the data key to wrap
     * @return the data key wrapped under the scope key
     */
    static WrappedDataKey wrap(long scopeKeyId, DataKeyMaterial scopeKey, String scope, DataKeyMaterial dataKey) {
        byte[] out = new byte[WRAPPED_BYTES];
        out[0] = VERSION;
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.get().nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
        byte[] plain = encodedOrClosed(dataKey);
        Cipher cipher = newCipher();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, scopeKey, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD(associatedData(scope, scopeKeyId));
            cipher.doFinal(plain, 0, plain.length, out, 1 + NONCE_BYTES);
            return WrappedDataKey.underScopeKey(scopeKeyId, out);
        } catch (GeneralSecurityException e) {
            throw new FieldCryptException("wrapping a data key under scope key " + scopeKeyId + " failed", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
            scrub(cipher);
        }
    }

    /**
     * @param what the key, for messages ("data key 7")
     * @return the data key {@code wrapped} holds
     * @throws DecryptionException if it does not unwrap under the scope key for {@code scope}: altered, or moved
     */
    static DataKeyMaterial unwrap(
            long scopeKeyId, DataKeyMaterial scopeKey, String scope, WrappedDataKey wrapped, String what) {
        byte[] in = wrapped.encryptedKey();
        if (in.length != WRAPPED_BYTES || in[0] != VERSION) {
            throw new DecryptionException(what + " is not a key wrapped by a scope key in a format this version reads");
        }
        byte[] plain = null;
        Cipher cipher = newCipher();
        try {
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    scopeKey,
                    new GCMParameterSpec(TAG_BYTES * 8, Arrays.copyOfRange(in, 1, 1 + NONCE_BYTES)));
            cipher.updateAAD(associatedData(scope, scopeKeyId));
            plain = cipher.doFinal(in, 1 + NONCE_BYTES, in.length - 1 - NONCE_BYTES);
            return DataKeyMaterial.copyOf(plain);
        } catch (AEADBadTagException e) {
            throw new DecryptionException(what + " could not be unwrapped under scope key " + scopeKeyId
                    + ": its stored form, scope or scope key was altered");
        } catch (GeneralSecurityException e) {
            throw new FieldCryptException("unwrapping " + what + " under scope key " + scopeKeyId + " failed", e);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
            scrub(cipher);
        }
    }

    /** A new cipher per call: keys are wrapped and unwrapped once per data key, not per value. */
    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("this JVM offers no AES/GCM/NoPadding cipher", e);
        }
    }

    /**
     * Re-initialises a used cipher with a throwaway key, so that the provider's copy of the scope key and its key
     * schedule do not linger in the garbage (best effort, as for data keys).
     */
    private static void scrub(Cipher cipher) {
        byte[] throwaway = new byte[KEY_BYTES];
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.get().nextBytes(throwaway);
        RANDOM.get().nextBytes(nonce);
        try {
            cipher.init(
                    Cipher.ENCRYPT_MODE,
                    new SecretKeySpec(throwaway, "AES"),
                    new GCMParameterSpec(TAG_BYTES * 8, nonce));
        } catch (GeneralSecurityException e) {
            // Not expected; the cipher becomes garbage either way.
        } finally {
            Arrays.fill(throwaway, (byte) 0);
        }
    }

    private static byte[] encodedOrClosed(DataKeyMaterial key) {
        byte[] bytes = key.getEncoded();
        if (bytes == null) {
            throw new FieldCryptException("the encryptor is closed");
        }
        return bytes;
    }

    private static byte[] associatedData(String scope, long scopeKeyId) {
        byte[] scopeBytes = scope.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(LABEL.length + 4 + scopeBytes.length + 8)
                .put(LABEL)
                .putInt(scopeBytes.length)
                .put(scopeBytes)
                .putLong(scopeKeyId)
                .array();
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new ConfigurationException("this JVM offers no DRBG SecureRandom", e);
        }
    }
}
