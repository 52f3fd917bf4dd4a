package io.fieldcrypt.spi;

import java.util.Objects;

/**
 * The answer to {@link KeyProvider#decryptDataKey}: the plaintext key and the master key the provider says it used,
 * which the caller checks against the master key it asked for.
 *
 * @param masterKeyId the canonical id of the master key that unwrapped the key, as the provider reported it
 * @param plaintext the key itself; the receiver owns it and destroys it when done
 */
public record DecryptedDataKey(String masterKeyId, DataKeyMaterial plaintext) {

    /**
     * @throws NullPointerException if an argument is null
     */
    public DecryptedDataKey {
        Objects.requireNonNull(masterKeyId, "masterKeyId");
        Objects.requireNonNull(plaintext, "plaintext");
    }
}
