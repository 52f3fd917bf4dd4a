package io.fieldcrypt;

import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.KeyProviderCall;
import io.fieldcrypt.spi.KeyProviderListener;
import io.fieldcrypt.spi.WrappedDataKey;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the calls made through a {@link KeyProvider}, by operation, whether they succeed or not, and tells the
 * {@link KeyProviderListener} of each with its duration and outcome.
 */
final class CountingKeyProvider implements KeyProvider {

    private static final Logger LOG = LoggerFactory.getLogger(CountingKeyProvider.class);

    private final KeyProvider delegate;
    private final KeyProviderListener listener;
    final LongAdder generateCalls = new LongAdder();
    final LongAdder decryptCalls = new LongAdder();
    final LongAdder reEncryptCalls = new LongAdder();

    CountingKeyProvider(KeyProvider delegate, KeyProviderListener listener) {
        this.delegate = delegate;
        this.listener = listener;
    }

    @Override
    public String canonicalMasterKeyId(String masterKeyId) {
        return delegate.canonicalMasterKeyId(masterKeyId);
    }

    @Override
    public GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> encryptionContext) {
        generateCalls.increment();
        return observed(
                KeyProviderCall.GENERATE_DATA_KEY, () -> delegate.generateDataKey(masterKeyId, encryptionContext));
    }

    @Override
    public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext) {
        decryptCalls.increment();
        return observed(KeyProviderCall.DECRYPT, () -> delegate.decryptDataKey(wrapped, encryptionContext));
    }

    @Override
    public WrappedDataKey reEncryptDataKey(
            WrappedDataKey wrapped, Map<String, String> encryptionContext, String destinationMasterKeyId) {
        reEncryptCalls.increment();
        return observed(
                KeyProviderCall.RE_ENCRYPT,
                () -> delegate.reEncryptDataKey(wrapped, encryptionContext, destinationMasterKeyId));
    }

    private <T> T observed(String operation, Supplier<T> call) {
        long start = System.nanoTime();
        String outcome = KeyProviderCall.ERROR;
        try {
            T result = call.get();
            outcome = KeyProviderCall.SUCCESS;
            return result;
        } catch (KeyProviderException e) {
            outcome = e.reason().name().toLowerCase(Locale.ROOT);
            throw e;
        } finally {
            KeyProviderCall done = new KeyProviderCall(operation, Duration.ofNanos(System.nanoTime() - start), outcome);
            try {
                listener.called(done);
            } catch (RuntimeException e) {
                LOG.warn("a key provider listener failed on {}: {}", done, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "Counting" + delegate;
    }
}
