package io.fieldcrypt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalListener;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.StoredDataKey;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two bounded caches of plaintext data keys (Caffeine).
 *
 * <ul>
 *   <li>Encryption: the current data key of each scope, reused until it reaches its maximum age or maximum number
 *       of uses. Then exactly one new key is made, however many threads ask at once: Caffeine computes a missing
 *       entry once, and a used-up entry is removed only if it is still the one that was used up.</li>
 *   <li>Decryption: unwrapped data keys by id, with the scope they were verified for, bounded in age and count;
 *       concurrent misses for one id unwrap it once. A new key is put here too, so values just written are read
 *       back without a key provider call.</li>
 * </ul>
 *
 * <p>A data key row is evidence, not truth: before a row is unwrapped, its master key must be one the encryptor
 * trusts, and its encryption context must be exactly the one of its scope; the key provider is asked to unwrap it
 * under the context built from the scope, never the context read from the row. Every use then checks that the
 * key's scope is one the caller expects, so a key of one column never opens another column's values.
 *
 * <p>Each cache holds its own copy of a key and destroys it when the entry is evicted, and has every thread's
 * cached cipher forget it ({@link AesGcm#forget}). A thread that was handed a key just before its eviction notices
 * ({@link AesGcm.KeyDestroyedException}) and asks again.
 */
final class DataKeyCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataKeyCache.class);
    static final String SCOPE_CONTEXT_KEY = "fieldcrypt:scope";

    /** The current data key of a scope and how often it was used. */
    static final class ActiveKey {
        final long id;
        final DataKeyMaterial material;
        final AtomicLong uses = new AtomicLong();

        ActiveKey(long id, DataKeyMaterial material) {
            this.id = id;
            this.material = material;
        }

        @Override
        public String toString() {
            return "ActiveKey[id=" + id + ", uses=" + uses + "]";
        }
    }

    /** An unwrapped data key and the scope its row was verified for. */
    record OpenKey(long id, String scope, DataKeyMaterial material) {
        @Override
        public String toString() {
            return "OpenKey[id=" + id + ", scope=" + scope + "]";
        }
    }

    private final CountingKeyProvider provider;
    private final MasterKeys masterKeys;
    private final DataKeyStore store;
    private final Duration maxAge;
    private final boolean acceptVersion1;
    private final long maxUses;
    private final Cache<String, ActiveKey> encryptionKeys;
    private final Cache<Long, OpenKey> decryptionKeys;
    private final LongAdder encryptionHits = new LongAdder();
    private final LongAdder encryptionMisses = new LongAdder();

    DataKeyCache(CountingKeyProvider provider, MasterKeys masterKeys, DataKeyStore store,
            FieldEncryptor.Builder settings) {
        this.provider = provider;
        this.masterKeys = masterKeys;
        this.store = store;
        this.maxAge = settings.maxAge;
        this.acceptVersion1 = settings.acceptVersion1;
        this.maxUses = settings.maxUses;
        Ticker ticker = settings.customClock
                ? () -> TimeUnit.MILLISECONDS.toNanos(settings.clock.millis())
                : Ticker.systemTicker();
        this.encryptionKeys = newBuilder(ticker, settings.customClock)
                .expireAfterWrite(settings.maxAge)
                .removalListener((RemovalListener<String, ActiveKey>) (scope, key, cause) -> {
                    if (key != null) {
                        key.material.destroy();
                        AesGcm.forget(key.material);
                        LOG.debug("data key {} of scope {} no longer used for encryption ({}, {} uses)",
                                key.id, scope, cause, key.uses);
                    }
                })
                .build();
        this.decryptionKeys = newBuilder(ticker, settings.customClock)
                .expireAfterWrite(settings.decryptionKeyMaxAge)
                .maximumSize(settings.decryptionKeyCacheSize)
                .recordStats()
                .removalListener((RemovalListener<Long, OpenKey>) (id, key, cause) -> {
                    if (key != null) {
                        key.material().destroy();
                        AesGcm.forget(key.material());
                    }
                })
                .build();
    }

    private static Caffeine<Object, Object> newBuilder(Ticker ticker, boolean customClock) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run);
        // With real time, a scheduler evicts (and wipes) expired keys even when no one touches the cache.
        return customClock ? builder : builder.scheduler(Scheduler.systemScheduler());
    }

    /** Returns the current data key of {@code scope}, counting one use of it. */
    ActiveKey encryptionKey(String scope) {
        while (true) {
            boolean[] created = new boolean[1];
            ActiveKey key = encryptionKeys.get(scope, s -> {
                created[0] = true;
                return newDataKey(s);
            });
            if (key.uses.incrementAndGet() <= maxUses) {
                (created[0] ? encryptionMisses : encryptionHits).increment();
                return key;
            }
            // Used up: remove it only if no other thread has replaced it already, then ask again.
            encryptionKeys.asMap().remove(scope, key);
        }
    }

    /**
     * Returns the unwrapped data key of {@code envelope}, if it serves one of {@code scopes}. A key not cached is
     * unwrapped only after its row passed every check, the scope included.
     *
     * @throws DecryptionException if the key belongs to another scope, or its row cannot be trusted, or the envelope
     *     is in a format version no longer accepted
     */
    DataKeyMaterial decryptionKey(Envelope envelope, Set<String> scopes) {
        if (envelope.version() == Envelope.Version.V1 && !acceptVersion1) {
            throw new DecryptionException("envelope format version 1 is no longer accepted (it does not bind the"
                    + " table); a version 1 value is either old data that was never re-encrypted or a copy from"
                    + " elsewhere");
        }
        long id = envelope.dataKeyId();
        OpenKey key = decryptionKeys.get(id, missing -> unwrap(missing, scopes));
        if (!scopes.contains(key.scope())) {
            throw otherScope(id, key.scope(), scopes);
        }
        return key.material();
    }

    FieldCryptStats stats() {
        var decryption = decryptionKeys.stats();
        return new FieldCryptStats(provider.generateCalls.sum(), provider.decryptCalls.sum(),
                provider.reEncryptCalls.sum(), encryptionHits.sum(), encryptionMisses.sum(),
                decryption.hitCount(), decryption.missCount());
    }

    static Map<String, String> encryptionContext(String scope) {
        return Map.of(SCOPE_CONTEXT_KEY, scope);
    }

    private ActiveKey newDataKey(String scope) {
        Map<String, String> context = encryptionContext(scope);
        GeneratedDataKey generated = provider.generateDataKey(masterKeys.current(), context);
        try {
            if (generated.plaintext().lengthBytes() != 32) {
                throw new KeyProviderException(KeyProviderException.Reason.REJECTED,
                        "key provider returned a " + generated.plaintext().lengthBytes()
                                + "-byte data key; AES-256 needs 32 bytes");
            }
            String wrappedUnder = generated.wrapped().masterKeyId();
            String expected = masterKeys.currentCanonical();
            if (!wrappedUnder.equals(expected)) {
                throw new KeyProviderException(KeyProviderException.Reason.WRONG_KEY, "key provider made a data key"
                        + " under master key " + wrappedUnder + ", but " + expected + " was requested; refusing it");
            }
            // Durability first: the row is committed before any value can be encrypted under the key.
            StoredDataKey stored = store.insert(scope, generated.wrapped(), context, maxAge);
            decryptionKeys.put(stored.id(), new OpenKey(stored.id(), scope, generated.plaintext().copy()));
            LOG.info("new data key {} for scope {} under master key {}", stored.id(), scope,
                    stored.wrapped().masterKeyId());
            return new ActiveKey(stored.id(), generated.plaintext());
        } catch (RuntimeException e) {
            generated.plaintext().destroy();
            throw e;
        }
    }

    private OpenKey unwrap(Long id, Set<String> scopes) {
        StoredDataKey row = store.find(id).orElseThrow(() -> new DataKeyNotFoundException(id, store.describe()));
        if (!scopes.contains(row.scope())) {
            throw otherScope(id, row.scope(), scopes);
        }
        Map<String, String> context = verifiedContext(row, masterKeys);
        DecryptedDataKey decrypted;
        try {
            decrypted = provider.decryptDataKey(row.wrapped(), context);
        } catch (KeyProviderException e) {
            // The stored row, not the provider, is at fault: its wrapped key was not made under the master key it
            // names, or under its scope's context (KMS: InvalidCiphertextException, IncorrectKeyException).
            if (e.reason() == KeyProviderException.Reason.INVALID_CIPHERTEXT
                    || e.reason() == KeyProviderException.Reason.WRONG_KEY) {
                throw new DecryptionException("data key " + id + " could not be unwrapped under master key "
                        + row.wrapped().masterKeyId() + ": its stored form or encryption context was altered", e);
            }
            throw e;
        }
        String expected = row.wrapped().masterKeyId();
        if (!decrypted.masterKeyId().equals(expected)) {
            decrypted.plaintext().destroy();
            throw new KeyProviderException(KeyProviderException.Reason.WRONG_KEY, "key provider unwrapped data key "
                    + id + " with master key " + decrypted.masterKeyId() + ", but it is recorded under " + expected);
        }
        if (decrypted.plaintext().lengthBytes() != 32) {
            decrypted.plaintext().destroy();
            throw new DecryptionException("data key " + id + " is not a 256-bit key");
        }
        LOG.debug("unwrapped data key {} of scope {}", id, row.scope());
        return new OpenKey(id, row.scope(), decrypted.plaintext());
    }

    private static DecryptionException otherScope(long id, String scope, Set<String> expected) {
        return new DecryptionException("data key " + id + " belongs to scope " + scope + ", not to "
                + (expected.size() == 1 ? expected.iterator().next() : "any of " + new TreeSet<>(expected))
                + "; refusing to use it");
    }

    /**
     * Checks a data key row against configuration before anything is done with it: its master key must be trusted,
     * and its encryption context must be exactly the one of its scope.
     *
     * @return the encryption context to unwrap it under, built from the scope
     * @throws DecryptionException if the row cannot be trusted
     */
    static Map<String, String> verifiedContext(StoredDataKey row, MasterKeys masterKeys) {
        String masterKey = row.wrapped().masterKeyId();
        if (!masterKeys.trusts(masterKey)) {
            throw new DecryptionException("data key " + row.id() + " is wrapped under master key " + masterKey
                    + ", which is not a trusted master key; refusing to unwrap it. If that key is yours, add it to"
                    + " the trusted master keys");
        }
        Map<String, String> context = encryptionContext(row.scope());
        if (!context.equals(row.encryptionContext())) {
            throw new DecryptionException("data key " + row.id() + " of scope " + row.scope() + " is recorded with"
                    + " another encryption context than its scope's; refusing to unwrap it");
        }
        return context;
    }

    /** Forgets the current encryption key of every scope (wiping it); the next encryption makes a new one. */
    void discardEncryptionKeys() {
        encryptionKeys.invalidateAll();
        encryptionKeys.cleanUp();
    }

    @Override
    public void close() {
        discardEncryptionKeys();
        decryptionKeys.invalidateAll();
        decryptionKeys.cleanUp();
    }
}
