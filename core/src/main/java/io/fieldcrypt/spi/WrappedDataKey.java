package io.fieldcrypt.spi;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A key encrypted ("wrapped") under another key: what the data key table stores. Either under a master key of the
 * key provider (scope keys, blind index root keys, and data keys made before scope keys existed), or under a scope key
 * stored in the same table (data keys), which {@link #masterKeyId()} then names as
 * {@code fieldcrypt:key:<id>}. Not secret by itself, but {@link #toString()} still shows only the master key id and
 * the blob's length.
 *
 * @param masterKeyId the canonical id of the key that wrapped it: a master key (for AWS KMS the key ARN), or
 *     {@code fieldcrypt:key:<id>} for a scope key of the data key table
 * @param encryptedKey the wrapped key; defensively copied in and out
 */
public record WrappedDataKey(String masterKeyId, byte[] encryptedKey) {

    /** How {@link #masterKeyId()} names a scope key of the data key table: this prefix, then the key's id. */
    public static final String SCOPE_KEY_PREFIX = "fieldcrypt:key:";

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

    /**
     * @param scopeKeyId the id of the scope key that wrapped the key; positive
     * @param encryptedKey the wrapped key
     * @return a key wrapped under that scope key
     */
    public static WrappedDataKey underScopeKey(long scopeKeyId, byte[] encryptedKey) {
        if (scopeKeyId <= 0) {
            throw new IllegalArgumentException("scope key id must be positive, got " + scopeKeyId);
        }
        return new WrappedDataKey(SCOPE_KEY_PREFIX + scopeKeyId, encryptedKey);
    }

    /**
     * @return the id of the scope key this key is wrapped under, or empty if {@link #masterKeyId()} does not name
     *     one in its one canonical spelling (then it names a master key of the key provider)
     */
    public OptionalLong scopeKeyId() {
        if (!masterKeyId.startsWith(SCOPE_KEY_PREFIX)) {
            return OptionalLong.empty();
        }
        String digits = masterKeyId.substring(SCOPE_KEY_PREFIX.length());
        long id;
        try {
            id = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
        // Only the spelling underScopeKey writes: no sign, no leading zero; every positive long round-trips.
        return id > 0 && Long.toString(id).equals(digits) ? OptionalLong.of(id) : OptionalLong.empty();
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
