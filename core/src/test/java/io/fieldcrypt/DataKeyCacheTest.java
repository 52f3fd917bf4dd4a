package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.MutableClock;
import io.fieldcrypt.testing.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cache bounds, observed through the number of key provider calls, with a clock the test advances. */
class DataKeyCacheTest {

    private static final String SCOPE = "customer.ssn";
    private static final FieldContext ROW = FieldContext.of("Customer", "customer", "ssn", "7");
    private static final byte[] VALUE = "123-45-6789".getBytes(UTF_8);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final RecordingKeyProvider provider = new RecordingKeyProvider(TestKeys.localProvider("k1"));
    private final InMemoryDataKeyStore store = new InMemoryDataKeyStore();
    private FieldEncryptor encryptor = newEncryptor(FieldEncryptor.builder().maxUses(1000));

    @AfterEach
    void close() {
        encryptor.close();
    }

    private FieldEncryptor newEncryptor(FieldEncryptor.Builder builder) {
        return builder.keyProvider(provider).masterKeyId("k1").dataKeyStore(store).clock(clock)
                .maxAge(Duration.ofMinutes(5)).decryptionKeyMaxAge(Duration.ofMinutes(10)).build();
    }

    @Test
    void seal_repeatedWithinBounds_oneGenerateCall() {
        for (int i = 0; i < 100; i++) {
            encryptor.seal(SCOPE, ROW, VALUE);
        }

        FieldCryptStats stats = encryptor.stats();
        assertThat(stats.generateDataKeyCalls()).isEqualTo(1);
        assertThat(stats.encryptionKeyMisses()).isEqualTo(1);
        assertThat(stats.encryptionKeyHits()).isEqualTo(99);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void seal_afterMaxAge_newDataKeyAndOldOneWiped() {
        long first = Envelope.parse(encryptor.seal(SCOPE, ROW, VALUE)).dataKeyId();
        clock.advance(Duration.ofMinutes(4));
        assertThat(Envelope.parse(encryptor.seal(SCOPE, ROW, VALUE)).dataKeyId()).isEqualTo(first);

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        long second = Envelope.parse(encryptor.seal(SCOPE, ROW, VALUE)).dataKeyId();

        assertThat(second).isNotEqualTo(first);
        assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(2);
        assertThat(provider.generated.get(0).isDestroyed()).isTrue();
        assertThat(provider.generated.get(1).isDestroyed()).isFalse();
    }

    @Test
    void seal_afterMaxUses_newDataKey() {
        encryptor.close();
        encryptor = newEncryptor(FieldEncryptor.builder().maxUses(3));

        for (int i = 0; i < 7; i++) {
            encryptor.seal(SCOPE, ROW, VALUE);
        }

        assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(3);
        assertThat(store.size()).isEqualTo(3);
        assertThat(provider.generated.get(0).isDestroyed()).isTrue();
        assertThat(provider.generated.get(1).isDestroyed()).isTrue();
    }

    @Test
    void open_justSealedValue_noDecryptCall() {
        byte[] sealed = encryptor.seal(SCOPE, ROW, VALUE);

        assertThat(encryptor.open(SCOPE, ROW, sealed)).isEqualTo(VALUE);
        assertThat(encryptor.stats().decryptDataKeyCalls()).isZero();
        assertThat(encryptor.stats().decryptionKeyHits()).isEqualTo(1);
    }

    @Test
    void open_afterDecryptionKeyMaxAge_unwrapsAgainAndWipesOldCopy() {
        byte[] sealed = encryptor.seal(SCOPE, ROW, VALUE);
        FieldEncryptor cold = newEncryptor(FieldEncryptor.builder());
        try {
            cold.open(SCOPE, ROW, sealed);
            clock.advance(Duration.ofMinutes(9));
            cold.open(SCOPE, ROW, sealed);
            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(1);

            clock.advance(Duration.ofMinutes(2));
            cold.open(SCOPE, ROW, sealed);

            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(2);
            assertThat(provider.decrypted.get(0).isDestroyed()).isTrue();
        } finally {
            cold.close();
        }
    }

    @Test
    void open_moreKeysThanCacheSize_boundedAndStillCorrect() {
        List<byte[]> sealed = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sealed.add(encryptor.seal("scope" + i, ROW, VALUE));
        }
        FieldEncryptor small = newEncryptor(FieldEncryptor.builder().decryptionKeyCacheSize(2));
        try {
            for (int i = 0; i < sealed.size(); i++) {
                assertThat(small.open("scope" + i, ROW, sealed.get(i))).isEqualTo(VALUE);
            }
            assertThat(small.stats().decryptDataKeyCalls()).isEqualTo(5);
            assertThat(provider.decrypted.stream().filter(DataKeyMaterial::isDestroyed).count())
                    .isGreaterThanOrEqualTo(3);
        } finally {
            small.close();
        }
    }

    @Test
    void close_wipesEveryCachedKey() {
        encryptor.seal(SCOPE, ROW, VALUE);

        encryptor.close();

        assertThat(provider.generated).allMatch(DataKeyMaterial::isDestroyed);
    }

    @Test
    void seal_threadStormOnColdScope_exactlyOneGenerateCall() throws Exception {
        List<byte[]> results = storm(() -> encryptor.seal(SCOPE, ROW, VALUE));

        assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(1);
        assertThat(store.size()).isEqualTo(1);
        assertThat(results).extracting(r -> Envelope.parse(r).dataKeyId()).containsOnly(1L);
    }

    @Test
    void open_threadStormOnColdKey_exactlyOneDecryptCall() throws Exception {
        byte[] sealed = encryptor.seal(SCOPE, ROW, VALUE);
        FieldEncryptor cold = newEncryptor(FieldEncryptor.builder());
        try {
            List<byte[]> results = storm(() -> cold.open(SCOPE, ROW, sealed));

            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(1);
            assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(VALUE));
        } finally {
            cold.close();
        }
    }

    private List<byte[]> storm(java.util.concurrent.Callable<byte[]> task) throws Exception {
        int threads = 16;
        provider.delayMillis = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<byte[]>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<byte[]> results = new java.util.ArrayList<>();
            for (Future<byte[]> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Remembers every key it hands out, so tests can see them wiped, and can be slowed down so that concurrent
     * callers really overlap.
     */
    static final class RecordingKeyProvider implements KeyProvider {
        private final KeyProvider delegate;
        final List<DataKeyMaterial> generated = new CopyOnWriteArrayList<>();
        final List<DataKeyMaterial> decrypted = new CopyOnWriteArrayList<>();
        volatile long delayMillis;

        RecordingKeyProvider(KeyProvider delegate) {
            this.delegate = delegate;
        }

        @Override
        public String canonicalMasterKeyId(String masterKeyId) {
            return delegate.canonicalMasterKeyId(masterKeyId);
        }

        @Override
        public GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> context) {
            pause();
            GeneratedDataKey key = delegate.generateDataKey(masterKeyId, context);
            generated.add(key.plaintext());
            return key;
        }

        @Override
        public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> context) {
            pause();
            DecryptedDataKey key = delegate.decryptDataKey(wrapped, context);
            decrypted.add(key.plaintext());
            return key;
        }

        @Override
        public WrappedDataKey reEncryptDataKey(WrappedDataKey wrapped, Map<String, String> context, String dest) {
            return delegate.reEncryptDataKey(wrapped, context, dest);
        }

        private void pause() {
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
