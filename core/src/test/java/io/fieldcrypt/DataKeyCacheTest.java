package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.FakeTicker;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cache bounds, observed through the number of key provider calls, with a ticker the test advances. */
class DataKeyCacheTest {

    private static final String SCOPE = "customer.ssn";
    private static final FieldContext ROW = FieldContext.of("Customer", "customer", "ssn", "7");
    private static final byte[] VALUE = "123-45-6789".getBytes(UTF_8);

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingKeyProvider provider = new RecordingKeyProvider(TestKeys.localProvider("k1"));
    private final InMemoryDataKeyStore store = new InMemoryDataKeyStore();
    private FieldEncryptor encryptor = newEncryptor(FieldEncryptor.builder().maxUses(1000));

    @AfterEach
    void close() {
        encryptor.close();
    }

    private FieldEncryptor newEncryptor(FieldEncryptor.Builder builder) {
        return builder.keyProvider(provider)
                .masterKeyId("k1")
                .dataKeyStore(store)
                .ticker(ticker)
                .maxAge(Duration.ofMinutes(5))
                .decryptionKeyMaxAge(Duration.ofMinutes(10))
                .build();
    }

    @Test
    void seal_repeatedWithinBounds_oneGenerateCall() {
        for (int i = 0; i < 100; i++) {
            encryptor.seal(SCOPE, ROW, VALUE);
        }

        DataKeyStats stats = encryptor.stats();
        assertThat(stats.generateDataKeyCalls()).isEqualTo(1);
        assertThat(stats.encryptionKeyMisses()).isEqualTo(1);
        assertThat(stats.encryptionKeyHits()).isEqualTo(99);
        assertThat(store.size()).as("the scope key and one data key").isEqualTo(2);
    }

    @Test
    void seal_afterMaxAge_newDataKeyUnderTheCachedScopeKey_noKeyProviderCall() {
        long first = Envelope.parse(encryptor.seal(SCOPE, ROW, VALUE)).dataKeyId();
        ticker.advance(Duration.ofMinutes(4));
        assertThat(Envelope.parse(encryptor.seal(SCOPE, ROW, VALUE)).dataKeyId())
                .isEqualTo(first);

        ticker.advance(Duration.ofMinutes(1).plusSeconds(1));
        long second = Envelope.parse(encryptor.seal(SCOPE, ROW, VALUE)).dataKeyId();

        assertThat(second).isNotEqualTo(first);
        assertThat(store.size()).isEqualTo(3);
        assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(1);
        assertThat(encryptor.stats().decryptDataKeyCalls()).isZero();
        assertThat(provider.generated.get(0).isDestroyed()).isFalse();
    }

    @Test
    void seal_afterTheScopeKeysCacheAge_scopeKeyWipedAndUnwrappedOnceAgain() {
        byte[] early = encryptor.seal(SCOPE, ROW, VALUE);

        ticker.advance(Duration.ofMinutes(10).plusSeconds(1));
        byte[] late = encryptor.seal(SCOPE, ROW, VALUE);

        assertThat(provider.generated.get(0).isDestroyed())
                .as("the scope key made first, expired")
                .isTrue();
        assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(1);
        assertThat(encryptor.stats().decryptDataKeyCalls()).isEqualTo(1);
        assertThat(Envelope.parse(late).dataKeyId())
                .isNotEqualTo(Envelope.parse(early).dataKeyId());
        assertThat(encryptor.open(SCOPE, ROW, early)).isEqualTo(VALUE);
        assertThat(encryptor.stats().decryptDataKeyCalls()).isEqualTo(1);
    }

    @Test
    void seal_afterMaxUses_newDataKey() {
        encryptor.close();
        encryptor = newEncryptor(FieldEncryptor.builder().maxUses(3));

        for (int i = 0; i < 7; i++) {
            encryptor.seal(SCOPE, ROW, VALUE);
        }

        assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(1);
        assertThat(encryptor.stats().encryptionKeyMisses()).isEqualTo(3);
        assertThat(store.size()).as("the scope key and three data keys").isEqualTo(4);
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
            ticker.advance(Duration.ofMinutes(9));
            cold.open(SCOPE, ROW, sealed);
            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(1);

            ticker.advance(Duration.ofMinutes(2));
            cold.open(SCOPE, ROW, sealed);

            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(2);
            assertThat(provider.decrypted.get(0).isDestroyed()).isTrue();
        } finally {
            cold.close();
        }
    }

    @Test
    void open_moreKeysThanCacheSize_boundedAndStillCorrect() {
        List<byte[]> sealed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sealed.add(encryptor.seal("scope" + i, ROW, VALUE));
        }
        FieldEncryptor small = newEncryptor(FieldEncryptor.builder().decryptionKeyCacheSize(2));
        try {
            for (int i = 0; i < sealed.size(); i++) {
                assertThat(small.open("scope" + i, ROW, sealed.get(i))).isEqualTo(VALUE);
            }
            assertThat(small.stats().decryptDataKeyCalls()).isEqualTo(5);
            assertThat(provider.decrypted.stream()
                            .filter(DataKeyMaterial::isDestroyed)
                            .count())
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
        assertThat(store.size()).as("the scope key and one data key").isEqualTo(2);
        assertThat(results).extracting(r -> Envelope.parse(r).dataKeyId()).containsOnly(2L);
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

    /**
     * Two scopes with the same hash code share a bin of the map under the cache: had the key provider been called
     * inside the map's compute function, the second scope would wait for the first scope's key.
     */
    @Test
    void seal_otherScopeInSameMapBinWhileKeyProviderHangs_notBlocked() throws Exception {
        assertThat("customer.Aa".hashCode()).isEqualTo("customer.BB".hashCode());
        provider.gatedScope = "customer.Aa";
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<byte[]> hanging = pool.submit(() -> encryptor.seal("customer.Aa", ROW, VALUE));
            assertThat(provider.entered.await(30, TimeUnit.SECONDS)).isTrue();

            byte[] other =
                    pool.submit(() -> encryptor.seal("customer.BB", ROW, VALUE)).get(10, TimeUnit.SECONDS);

            assertThat(encryptor.open("customer.BB", ROW, other)).isEqualTo(VALUE);
            assertThat(hanging.isDone()).isFalse();
            provider.release.countDown();
            assertThat(encryptor.open("customer.Aa", ROW, hanging.get(30, TimeUnit.SECONDS)))
                    .isEqualTo(VALUE);
            assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(2);
        } finally {
            provider.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void seal_keyProviderFailed_failureNotCachedNextSealMakesKey() {
        provider.failNext.set(1);

        assertThatThrownBy(() -> encryptor.seal(SCOPE, ROW, VALUE))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("test KMS unreachable");
        assertThat(store.size()).isZero();

        assertThat(encryptor.open(SCOPE, ROW, encryptor.seal(SCOPE, ROW, VALUE)))
                .isEqualTo(VALUE);
        assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(2);
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void seal_threadStormWhileKeyProviderFails_oneCallEveryThreadGetsTheTypedFailure() throws Exception {
        provider.failNext.set(16);

        List<Throwable> failures = stormFailures(() -> encryptor.seal(SCOPE, ROW, VALUE));

        assertThat(failures)
                .hasSize(16)
                .allSatisfy(e ->
                        assertThat(e).isInstanceOf(KeyProviderException.class).hasMessage("test KMS unreachable"));
        assertThat(encryptor.stats().generateDataKeyCalls()).isEqualTo(1);
        assertThat(store.size()).isZero();
    }

    @Test
    void open_keyProviderFailed_failureNotCachedNextOpenUnwraps() {
        byte[] sealed = encryptor.seal(SCOPE, ROW, VALUE);
        try (FieldEncryptor cold = newEncryptor(FieldEncryptor.builder())) {
            provider.failNext.set(1);

            assertThatThrownBy(() -> cold.open(SCOPE, ROW, sealed))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessage("test KMS unreachable");

            assertThat(cold.open(SCOPE, ROW, sealed)).isEqualTo(VALUE);
            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(2);
            assertThat(cold.stats().decryptionKeyMisses()).isEqualTo(2);
            assertThat(cold.stats().decryptionKeyHits()).isZero();
        }
    }

    @Test
    void open_threadStormWhileKeyProviderFails_oneCallEveryThreadGetsTheTypedFailure() throws Exception {
        byte[] sealed = encryptor.seal(SCOPE, ROW, VALUE);
        try (FieldEncryptor cold = newEncryptor(FieldEncryptor.builder())) {
            provider.failNext.set(16);

            List<Throwable> failures = stormFailures(() -> cold.open(SCOPE, ROW, sealed));

            assertThat(failures)
                    .hasSize(16)
                    .allSatisfy(e -> assertThat(e)
                            .isInstanceOf(KeyProviderException.class)
                            .hasMessage("test KMS unreachable"));
            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(1);
        }
    }

    /**
     * Callers expecting another scope are refused before any key provider call, and a refusal of one caller's scope
     * is not handed to the callers that expect the key's real scope.
     */
    @Test
    void open_threadStormOnColdKeyWithMixedExpectedScopes_eachCallerJudgedByItsOwnScopes() throws Exception {
        byte[] sealed = encryptor.seal(SCOPE, ROW, VALUE);
        long id = Envelope.parse(sealed).dataKeyId();
        try (FieldEncryptor cold = newEncryptor(FieldEncryptor.builder())) {
            AtomicInteger turn = new AtomicInteger();

            List<Object> results = stormOutcomes(() -> turn.getAndIncrement() % 2 == 0
                    ? cold.open(SCOPE, ROW, sealed)
                    : cold.open(Set.of("customer.email"), ROW, sealed));

            assertThat(results)
                    .filteredOn(byte[].class::isInstance)
                    .hasSize(8)
                    .allSatisfy(r -> assertThat((byte[]) r).isEqualTo(VALUE));
            assertThat(results)
                    .filteredOn(Throwable.class::isInstance)
                    .hasSize(8)
                    .allSatisfy(e -> assertThat((Throwable) e)
                            .isInstanceOf(DecryptionException.class)
                            .hasMessage("data key " + id + " belongs to scope customer.ssn, not to customer.email;"
                                    + " refusing to use it"));
            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(1);
        }
    }

    private List<byte[]> storm(Callable<byte[]> task) throws Exception {
        int threads = 16;
        provider.delayMillis = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<byte[]>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<byte[]> results = new ArrayList<>();
            for (Future<byte[]> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Throwable> stormFailures(Callable<byte[]> task) throws Exception {
        List<Object> outcomes = stormOutcomes(task);
        assertThat(outcomes).allMatch(Throwable.class::isInstance);
        return outcomes.stream().map(Throwable.class::cast).toList();
    }

    /** Runs {@code task} on 16 threads at once; each outcome is its result or the exception it threw. */
    private List<Object> stormOutcomes(Callable<byte[]> task) throws Exception {
        // Long enough that every thread asks while the first call is still in flight.
        provider.delayMillis = 300;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch ready = new CountDownLatch(16);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    try {
                        return task.call();
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
            start.countDown();
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> future : futures) {
                outcomes.add(future.get(30, TimeUnit.SECONDS));
            }
            return outcomes;
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
        /** How many of the next calls fail as if KMS were unreachable. */
        final AtomicInteger failNext = new AtomicInteger();
        /** A scope whose GenerateDataKey waits, after counting down {@link #entered}, until {@link #release}. */
        volatile String gatedScope;

        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        RecordingKeyProvider(KeyProvider delegate) {
            this.delegate = delegate;
        }

        @Override
        public String canonicalMasterKeyId(String masterKeyId) {
            return delegate.canonicalMasterKeyId(masterKeyId);
        }

        @Override
        public GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> context) {
            if (context.get("fieldcrypt:scope").equals(gatedScope)) {
                entered.countDown();
                await(release);
            }
            pause();
            failIfAsked();
            GeneratedDataKey key = delegate.generateDataKey(masterKeyId, context);
            generated.add(key.plaintext());
            return key;
        }

        @Override
        public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> context) {
            pause();
            failIfAsked();
            DecryptedDataKey key = delegate.decryptDataKey(wrapped, context);
            decrypted.add(key.plaintext());
            return key;
        }

        @Override
        public WrappedDataKey reEncryptDataKey(WrappedDataKey wrapped, Map<String, String> context, String dest) {
            return delegate.reEncryptDataKey(wrapped, context, dest);
        }

        private void failIfAsked() {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new KeyProviderException(KeyProviderException.Reason.UNAVAILABLE, "test KMS unreachable");
            }
        }

        private static void await(CountDownLatch latch) {
            try {
                if (!latch.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("latch not released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
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
