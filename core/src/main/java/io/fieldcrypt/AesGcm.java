package io.fieldcrypt;

import io.fieldcrypt.spi.DataKeyMaterial;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
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
 *
 * <p>A cipher keeps copies of its key after use (the JDK's AES keeps the raw key and its key schedule, and its GCM
 * keeps the last key it encrypted with, to refuse a repeated nonce). So that a destroyed data key leaves no copy
 * behind, every thread's cache is registered (weakly, so a dead thread's cache is collected) and {@link #forget}
 * re-initialises, with a throwaway key, every cipher that may still hold a given key. A cipher is not thread-safe,
 * so each cache has a lock, held by its own thread while it uses a cipher (uncontended but for a {@code forget}) and
 * by {@code forget} while it scrubs. A thread that meets a destroyed key in its cache scrubs that cipher too.
 */
final class AesGcm {

    private static final int TAG_BITS = Envelope.TAG_BYTES * 8;
    /** How many data keys' ciphers one thread keeps. */
    private static final int CIPHERS_PER_THREAD = 8;
    /** The length of the throwaway key a cipher is scrubbed with. */
    private static final int SCRUB_KEY_BYTES = 32;
    /** Every thread's cipher cache, for {@link #forget}; weak, so a dead thread's cache can be collected. */
    private static final Set<CipherCache> ALL_CIPHERS =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private static final ThreadLocal<CipherCache> CIPHERS = ThreadLocal.withInitial(CipherCache::register);
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(AesGcm::newRandom);
    private static final ThreadLocal<byte[]> NONCE = ThreadLocal.withInitial(() -> new byte[Envelope.NONCE_BYTES]);
    /** Scratch for the associated data of one operation; grows to the longest context a thread has seen. */
    private static final ThreadLocal<byte[]> AAD = ThreadLocal.withInitial(() -> new byte[256]);

    /** Thrown when the key was destroyed (evicted) between being looked up and being used; look it up again. */
    static final class KeyDestroyedException extends Exception {
        private static final long serialVersionUID = 1L;

        KeyDestroyedException() {
            super("data key was evicted while in use", null, false, false);
        }
    }

    private AesGcm() {}

    static byte[] seal(long dataKeyId, DataKeyMaterial key, FieldContext context, byte[] plaintext)
            throws KeyDestroyedException {
        byte[] out = new byte[Envelope.OVERHEAD_BYTES + plaintext.length];
        Envelope.writeHeader(out, dataKeyId);
        // The nonce is drawn into a per-thread scratch array and copied: the envelope is the only allocation here.
        byte[] nonce = NONCE.get();
        RANDOM.get().nextBytes(nonce);
        System.arraycopy(nonce, 0, out, Envelope.NONCE_OFFSET, nonce.length);
        CipherCache cache = CIPHERS.get();
        Cipher cipher = cache.acquire(key, true);
        try {
            cipher.init(
                    Cipher.ENCRYPT_MODE,
                    key,
                    new GCMParameterSpec(TAG_BITS, out, Envelope.NONCE_OFFSET, Envelope.NONCE_BYTES));
            updateAad(cipher, out, context.associatedData(Envelope.CURRENT_VERSION));
            cipher.doFinal(plaintext, 0, plaintext.length, out, Envelope.CIPHERTEXT_OFFSET);
            return out;
        } catch (InvalidKeyException e) {
            throw destroyedOr(key, e, "encryption failed: invalid data key");
        } catch (GeneralSecurityException e) {
            throw new FieldCryptException("encryption failed: " + e.getClass().getSimpleName(), e);
        } finally {
            cache.release();
        }
    }

    static byte[] open(Envelope envelope, DataKeyMaterial key, FieldContext context) throws KeyDestroyedException {
        byte[] in = envelope.bytes();
        CipherCache cache = CIPHERS.get();
        Cipher cipher = cache.acquire(key, false);
        try {
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    key,
                    new GCMParameterSpec(TAG_BITS, in, Envelope.NONCE_OFFSET, Envelope.NONCE_BYTES));
            updateAad(cipher, in, context.associatedData(envelope.version()));
            return cipher.doFinal(in, Envelope.CIPHERTEXT_OFFSET, in.length - Envelope.CIPHERTEXT_OFFSET);
        } catch (AEADBadTagException e) {
            throw new DecryptionException("decryption failed: authentication tag mismatch", e);
        } catch (InvalidKeyException e) {
            throw destroyedOr(key, e, "decryption failed: invalid data key");
        } catch (GeneralSecurityException e) {
            throw new DecryptionException("decryption failed: " + e.getClass().getSimpleName(), e);
        } finally {
            cache.release();
        }
    }

    /**
     * Hands the associated data (the envelope's header, then the context's) to the cipher in one call: the JDK's
     * GCM buffers associated data until the first block, sized by the first call, so a second call would grow and
     * copy that buffer on every value.
     */
    private static void updateAad(Cipher cipher, byte[] envelope, byte[] contextAad) {
        int length = Envelope.HEADER_BYTES + contextAad.length;
        byte[] scratch = AAD.get();
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, 2 * scratch.length)];
            AAD.set(scratch);
        }
        System.arraycopy(envelope, 0, scratch, 0, Envelope.HEADER_BYTES);
        System.arraycopy(contextAad, 0, scratch, Envelope.HEADER_BYTES, contextAad.length);
        cipher.updateAAD(scratch, 0, length);
    }

    /**
     * Scrubs every thread's cipher that may still hold {@code key}: each is re-initialised with a throwaway random
     * key, which overwrites the provider's copies of the key and its key schedule, and its slot is cleared. Waits
     * for a thread that is using such a cipher to finish. Copies already garbage are beyond reach.
     *
     * <p>Call it when a data key is destroyed: after {@link DataKeyMaterial#destroy()} no thread can initialise a
     * cipher with the key again, so calling it right after leaves no window. Keys are matched by identity, so a
     * destroyed key is still found. Thread-safe.
     *
     * @param key the data key that is, or is about to be, destroyed
     */
    static void forget(DataKeyMaterial key) {
        for (CipherCache cache : ALL_CIPHERS.toArray(new CipherCache[0])) {
            cache.forget(key);
        }
    }

    private static KeyDestroyedException destroyedOr(DataKeyMaterial key, InvalidKeyException e, String message) {
        if (key.isDestroyed()) {
            return new KeyDestroyedException();
        }
        throw new FieldCryptException(message, e);
    }

    /**
     * A thread's ciphers, one per recently used data key, found by the key's identity. When a key is missing, the
     * slots of destroyed keys (evicted from the key cache) are scrubbed first, a free slot is taken, and its cipher
     * re-initialised with the new key by the caller. Used by its thread and by {@link AesGcm#forget}, under
     * {@link #lock}.
     */
    private static final class CipherCache {
        private final ReentrantLock lock = new ReentrantLock();
        private final DataKeyMaterial[] keys = new DataKeyMaterial[CIPHERS_PER_THREAD];
        /**
         * The key each cipher was last initialised to encrypt with: the JDK's GCM keeps those bytes until its next
         * encryption init, even across decryption inits with other keys, so a slot may hold two keys.
         */
        private final DataKeyMaterial[] sealKeys = new DataKeyMaterial[CIPHERS_PER_THREAD];

        private final Cipher[] ciphers = new Cipher[CIPHERS_PER_THREAD];
        private int nextVictim;

        static CipherCache register() {
            CipherCache cache = new CipherCache();
            ALL_CIPHERS.add(cache);
            return cache;
        }

        /**
         * Locks this cache and returns the cipher for {@code key}; the caller uses it, then calls {@link #release}.
         *
         * @param sealing whether the cipher is about to be initialised to encrypt
         */
        Cipher acquire(DataKeyMaterial key, boolean sealing) {
            lock.lock();
            try {
                int slot = slotFor(key);
                if (sealing) {
                    sealKeys[slot] = key;
                }
                return ciphers[slot];
            } catch (RuntimeException | Error e) {
                lock.unlock();
                throw e;
            }
        }

        void release() {
            lock.unlock();
        }

        void forget(DataKeyMaterial key) {
            lock.lock();
            try {
                for (int i = 0; i < keys.length; i++) {
                    if (keys[i] == key || sealKeys[i] == key) {
                        scrub(i);
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        private int slotFor(DataKeyMaterial key) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == key) {
                    return i;
                }
            }
            int slot = -1;
            for (int i = 0; i < keys.length; i++) {
                if (isDestroyed(keys[i]) || isDestroyed(sealKeys[i])) {
                    scrub(i);
                }
                if (keys[i] == null && slot < 0) {
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
            return slot;
        }

        /**
         * Re-initialises the slot's cipher to encrypt with a throwaway random key and nonce, which replaces the
         * provider's key copies and key schedule, and clears the slot. A cipher that refuses (not expected) is
         * dropped, so that its copies become garbage.
         */
        private void scrub(int slot) {
            keys[slot] = null;
            sealKeys[slot] = null;
            Cipher cipher = ciphers[slot];
            if (cipher == null) {
                return;
            }
            SecureRandom random = RANDOM.get();
            byte[] bytes = new byte[SCRUB_KEY_BYTES];
            random.nextBytes(bytes);
            DataKeyMaterial throwaway = DataKeyMaterial.copyOf(bytes);
            Arrays.fill(bytes, (byte) 0);
            byte[] nonce = new byte[Envelope.NONCE_BYTES];
            random.nextBytes(nonce);
            try {
                cipher.init(Cipher.ENCRYPT_MODE, throwaway, new GCMParameterSpec(TAG_BITS, nonce));
            } catch (GeneralSecurityException e) {
                ciphers[slot] = null;
            } finally {
                throwaway.destroy();
            }
        }

        private static boolean isDestroyed(DataKeyMaterial key) {
            return key != null && key.isDestroyed();
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
