package io.fieldcrypt;

import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counts the calls made through a {@link KeyProvider}, by operation, whether they succeed or not. */
final class CountingKeyProvider implements KeyProvider {

    private final KeyProvider delegate;
    final LongAdder generateCalls = new LongAdder();
    final LongAdder decryptCalls = new LongAdder();
    final LongAdder reEncryptCalls = new LongAdder();

    CountingKeyProvider(KeyProvider delegate) {
        this.delegate = delegate;
    }

    @Override
    public String canonicalMasterKeyId(String masterKeyId) {
        return delegate.canonicalMasterKeyId(masterKeyId);
    }

    @Override
    public GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> encryptionContext) {
        generateCalls.increment();
        return delegate.generateDataKey(masterKeyId, encryptionContext);
    }

    @Override
    public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext) {
        decryptCalls.increment();
        return delegate.decryptDataKey(wrapped, encryptionContext);
    }

    @Override
    public WrappedDataKey reEncryptDataKey(
            WrappedDataKey wrapped, Map<String, String> encryptionContext, String destinationMasterKeyId) {
        reEncryptCalls.increment();
        return delegate.reEncryptDataKey(wrapped, encryptionContext, destinationMasterKeyId);
    }

    @Override
    public String toString() {
        return "Counting" + delegate;
    }
}
