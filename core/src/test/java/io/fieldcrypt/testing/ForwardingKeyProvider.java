package io.fieldcrypt.testing;

import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import java.util.Map;

/**
 * A key provider that forwards every call to another: tests override the one answer they want to falsify (a
 * provider that lies about its master key, refuses an operation...), a fake at the SPI boundary.
 */
public class ForwardingKeyProvider implements KeyProvider {

    private final KeyProvider delegate;

    /**
     * @param delegate the provider that answers what is not overridden
     */
    public ForwardingKeyProvider(KeyProvider delegate) {
        this.delegate = delegate;
    }

    @Override
    public String canonicalMasterKeyId(String masterKeyId) {
        return delegate.canonicalMasterKeyId(masterKeyId);
    }

    @Override
    public GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> encryptionContext) {
        return delegate.generateDataKey(masterKeyId, encryptionContext);
    }

    @Override
    public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext) {
        return delegate.decryptDataKey(wrapped, encryptionContext);
    }

    @Override
    public WrappedDataKey reEncryptDataKey(
            WrappedDataKey wrapped, Map<String, String> encryptionContext, String destinationMasterKeyId) {
        return delegate.reEncryptDataKey(wrapped, encryptionContext, destinationMasterKeyId);
    }
}
