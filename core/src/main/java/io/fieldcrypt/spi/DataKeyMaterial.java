package io.fieldcrypt.spi;

import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * The plaintext bytes of a data key, held so that they are hard to leak by accident.
 *
 * <ul>
 *   <li>There is no getter for the bytes. The key is handed to a {@link javax.crypto.Cipher} as a
 *       {@link SecretKey}, whose {@link #getEncoded()} returns a fresh copy each time.</li>
 *   <li>{@link #toString()} shows only the length. {@link #equals(Object)} compares in constant time.</li>
 *   <li>{@link #destroy()} overwrites the bytes with zeros. Afterwards {@link #getEncoded()} returns {@code null},
 *       so a cipher initialised with a destroyed key fails instead of using zeros. Copies the JVM made elsewhere
 *       (the cipher's key schedule, garbage not yet collected) are beyond reach: wiping is best effort.</li>
 *   <li>It is never serialized, although {@link SecretKey} is {@link java.io.Serializable}: writing or reading one
 *       with Java serialization throws {@link NotSerializableException}.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class DataKeyMaterial implements SecretKey, Destroyable {

    /** Declared because {@link SecretKey} is serializable; instances refuse to be serialized. */
    @Serial
    private static final long serialVersionUID = 1L;

    private static final int KEY_BYTES = 32;

    private final byte[] bytes;
    private boolean destroyed;

    private DataKeyMaterial(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Copies {@code bytes} into a new key; the caller should wipe its own array afterwards.
     *
     * @param bytes the raw key, 32 bytes (AES-256)
     * @return a new key holding a copy
     * @throws IllegalArgumentException if the key is not 32 bytes long
     * @throws NullPointerException if {@code bytes} is null
     */
    public static DataKeyMaterial copyOf(byte[] bytes) {
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                    "a data key must be " + KEY_BYTES + " bytes (AES-256), got " + bytes.length);
        }
        return new DataKeyMaterial(bytes.clone());
    }

    /**
     * @return a new key with the same bytes, independent of this one's lifetime
     * @throws IllegalStateException if this key was destroyed
     */
    public synchronized DataKeyMaterial copy() {
        if (destroyed) {
            throw new IllegalStateException("data key material was destroyed");
        }
        return new DataKeyMaterial(bytes.clone());
    }

    /**
     * @return the key length in bytes (32 for AES-256)
     */
    public int lengthBytes() {
        return bytes.length;
    }

    @Override
    public String getAlgorithm() {
        return "AES";
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    /**
     * @return a fresh copy of the key bytes for a cipher, or {@code null} once destroyed
     */
    @Override
    public synchronized byte[] getEncoded() {
        return destroyed ? null : bytes.clone();
    }

    @Override
    public synchronized void destroy() {
        Arrays.fill(bytes, (byte) 0);
        destroyed = true;
    }

    @Override
    public synchronized boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof DataKeyMaterial that)) {
            return false;
        }
        byte[] mine = getEncoded();
        byte[] theirs = that.getEncoded();
        try {
            return mine != null && theirs != null && MessageDigest.isEqual(mine, theirs);
        } finally {
            wipe(mine);
            wipe(theirs);
        }
    }

    /** A constant: key bytes must not be observable through the hash code. */
    @Override
    public int hashCode() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "DataKeyMaterial[" + bytes.length + " bytes, redacted" + (isDestroyed() ? ", destroyed" : "") + "]";
    }

    /**
     * Refuses Java serialization, which would copy the key bytes out of reach.
     *
     * @throws NotSerializableException always
     */
    @Serial
    private void writeObject(ObjectOutputStream out) throws NotSerializableException {
        throw new NotSerializableException("data key material is never serialized");
    }

    /**
     * Refuses Java deserialization: a key never comes from a stream.
     *
     * @throws NotSerializableException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws NotSerializableException {
        throw new NotSerializableException("data key material is never serialized");
    }

    private static void wipe(byte[] array) {
        if (array != null) {
            Arrays.fill(array, (byte) 0);
        }
    }
}
