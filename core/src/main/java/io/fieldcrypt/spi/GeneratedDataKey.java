package io.fieldcrypt.spi;

import java.util.Objects;

/**
 * A fresh data key from {@link KeyProvider#generateDataKey}: its plaintext for encrypting now, and its wrapped
 * form for storing.
 *
 * @param plaintext the key itself; the receiver owns it and destroys it when done
 * @param wrapped the same key encrypted under the master key, naming the master key the provider actually used
 */
public record GeneratedDataKey(DataKeyMaterial plaintext, WrappedDataKey wrapped) {

    /**
     * @throws NullPointerException if an argument is null
     */
    public GeneratedDataKey {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(wrapped, "wrapped");
    }
}
