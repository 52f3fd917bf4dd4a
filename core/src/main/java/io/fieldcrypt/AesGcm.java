package io.fieldcrypt;

import io.fieldcrypt.spi.DataKeyMaterial;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM over the {@link Envelope} layout.
 *
 * <p>Each thread keeps one DRBG {@link SecureRandom} (a shared or NativePRNG source does not scale across threads)
 * and a few {@link Cipher}s, one per data key it used last ({@code Cipher.getInstance} costs several times the
 * encryption itself, and re-initialising one cipher with another key redoes the AES key schedule: an entity with
 * three encrypted columns alternates between three data keys on every row). See {@code BENCHMARKS.md}.
 */
final class AesGcm {

    private static final int TAG_BITS = Envelope.TAG_BYTES * 8;
    /** How many data keys' ciphers one thread keeps. */
    private static final int CIPHERS_PER_THREAD = 8;
    private static final ThreadLocal<CipherCache> CIPHERS = ThreadLocal.withInitial(CipherCache::new);
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(AesGcm::newRandom);

    /** Thrown when the key was destroyed (evicted) between being looked up and being used; look it up again. */
    static final class KeyDestroyedException extends Exception {
        private static final long serialVersionUID = 1L;

        KeyDestroyedException() {
            super("data key was evicted while in use", null, false, false);
        }
    }

    private AesGcm() {
    }

    static byte[] seal(long dataKeyId, DataKeyMaterial key, FieldContext context, byte[] plaintext)
            throws KeyDestroyedException {
        byte[] out = new byte[Envelope.OVERHEAD_BYTES + plaintext.length];
        Envelope.writeHeader(out, dataKeyId);
        byte[] nonce = new byte[Envelope.NONCE_BYTES];
        RANDOM.get().nextBytes(nonce);
        System.arraycopy(nonce, 0, out, Envelope.NONCE_OFFSET, nonce.length);
        Cipher cipher = CIPHERS.get().forKey(key);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(out, 0, Envelope.HEADER_BYTES);
            cipher.updateAAD(context.associatedData());
            cipher.doFinal(plaintext, 0, plaintext.length, out, Envelope.CIPHERTEXT_OFFSET);
            return out;
        } catch (InvalidKeyException e) {
            throw destroyedOr(key, e, "encryption failed: invalid data key");
        } catch (GeneralSecurityException e) {
            throw new FieldCryptException("encryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    static byte[] open(Envelope envelope, DataKeyMaterial key, FieldContext context) throws KeyDestroyedException {
        byte[] in = envelope.bytes();
        Cipher cipher = CIPHERS.get().forKey(key);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key,
                    new GCMParameterSpec(TAG_BITS, in, Envelope.NONCE_OFFSET, Envelope.NONCE_BYTES));
            cipher.updateAAD(in, 0, Envelope.HEADER_BYTES);
            cipher.updateAAD(context.associatedData());
            return cipher.doFinal(in, Envelope.CIPHERTEXT_OFFSET, in.length - Envelope.CIPHERTEXT_OFFSET);
        } catch (AEADBadTagException e) {
            throw new DecryptionException("decryption failed: authentication tag mismatch", e);
        } catch (InvalidKeyException e) {
            throw destroyedOr(key, e, "decryption failed: invalid data key");
        } catch (GeneralSecurityException e) {
            throw new DecryptionException("decryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static KeyDestroyedException destroyedOr(DataKeyMaterial key, InvalidKeyException e, String message) {
        if (key.isDestroyed()) {
            return new KeyDestroyedException();
        }
        throw new FieldCryptException(message, e);
    }

    /**
     * A thread's ciphers, one per recently used data key, found by the key's identity. A slot whose key was
     * destroyed (evicted from the key cache) is reused first, and its cipher re-initialised with the new key.
     */
    private static final class CipherCache {
        private final DataKeyMaterial[] keys = new DataKeyMaterial[CIPHERS_PER_THREAD];
        private final Cipher[] ciphers = new Cipher[CIPHERS_PER_THREAD];
        private int nextVictim;

        Cipher forKey(DataKeyMaterial key) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == key) {
                    return ciphers[i];
                }
            }
            int slot = -1;
            for (int i = 0; i < keys.length && slot < 0; i++) {
                if (keys[i] == null || keys[i].isDestroyed()) {
                    slot = i;
                }
            }
            if (slot < 0) {
                slot = nextVictim;
                nextVictim = (nextVictim + 1) % keys.length;
            }
            if (ciphers[slot] == null) {
                ciphers[slot] = newCipher();
            }
            keys[slot] = key;
            return ciphers[slot];
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new ConfigurationException("this JVM offers no AES/GCM/NoPadding cipher", e);
        }
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new ConfigurationException("this JVM offers no DRBG SecureRandom", e);
        }
    }
}
