package io.fieldcrypt.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data key encrypted ("wrapped") under a master key: what the data key table stores. Not secret by itself, but
 * {@link #toString()} still shows only the master key id and the blob's length.
 *
 * @param masterKeyId the canonical id of the master key that wrapped it (for AWS KMS the key ARN)
 * @param encryptedKey the provider's ciphertext blob; defensively copied in and out
 */
public record WrappedDataKey(String masterKeyId, byte[] encryptedKey) {

    /**
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code encryptedKey} is empty
     */
    public WrappedDataKey {
        Objects.requireNonNull(masterKeyId, "masterKeyId");
        Objects.requireNonNull(encryptedKey, "encryptedKey");
        if (encryptedKey.length == 0) {
            throw new IllegalArgumentException("encryptedKey is empty");
        }
        encryptedKey = encryptedKey.clone();
    }

    @Override
    public byte[] encryptedKey() {
        return encryptedKey.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WrappedDataKey that
                && masterKeyId.equals(that.masterKeyId)
                && Arrays.equals(encryptedKey, that.encryptedKey);
    }

    @Override
    public int hashCode() {
        return 31 * masterKeyId.hashCode() + Arrays.hashCode(encryptedKey);
    }

    @Override
    public String toString() {
        return "WrappedDataKey[masterKeyId=" + masterKeyId + ", " + encryptedKey.length + " bytes]";
    }
}
