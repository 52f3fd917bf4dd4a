package io.fieldcrypt;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalListener;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded caches of plaintext data keys and scope keys (Caffeine).
 *
 * <ul>
 *   <li>Encryption: the current data key of each scope, reused until it reaches its maximum age or maximum number
 *       of uses. Then exactly one new key is made, however many threads ask at once (see single flight below), and
 *       a used-up entry is removed only if it is still the one that was used up. A new data key is 256 random bits,
 *       wrapped under the scope's current scope key ({@link ScopeKeys}) and stored; the key provider is called only
 *       for a scope key this process holds no copy of.</li>
 *   <li>Scope keys: unwrapped scope keys by id, bounded like decryption keys, used to wrap new data keys and to
 *       unwrap stored ones.</li>
 *   <li>Decryption: unwrapped data keys by id, with the scope they were verified for, bounded in age and count;
 *       concurrent misses for one id unwrap it once. A new key is put here too, so values just written are read
 *       back without a key provider call.</li>
 * </ul>
 *
 * <p><b>Single flight, without I/O inside the map.</b> Making a key calls the key provider and the data key store
 * (seconds, under a slow KMS), and Caffeine's compute functions must be short, so no key is made inside one. Both
 * caches are {@link AsyncCache}s of futures. A caller that misses puts an incomplete future of its own into the map
 * (the only work done under Caffeine's lock); if it was absent, that caller owns the load: it makes the key on its
 * own thread, outside any lock, then completes the future. Every other caller for the same key finds the future
 * and waits for it ({@link CompletableFuture#join()}). A failed load removes its future from the map before
 * completing it, so a failure is never cached and the next caller tries again; the callers that were waiting get
 * the owner's exception itself (a {@link FieldCryptException} subtype, never a {@code CompletionException}), except for
 * a refusal that depends on the owner's own arguments (its expected scopes), after which each waiting caller makes
 * its own attempt. A failed future is completed with no value rather than exceptionally, which Caffeine drops
 * without logging the failure a second time (it logs exceptional loads as warnings). An entry whose load is in
 * flight never expires; its age counts from the moment its key is ready. The hit and miss counters of
 * {@link DataKeyStats} keep their meaning: the owner of a load counts a miss (whether its load succeeds or not),
 * a caller served from the map counts a hit, whether the key was there already or it waited for another caller's
 * load.
 *
 * <p>A data key row is evidence, not truth: before a row is unwrapped, its master key must be one the encryptor
 * trusts, and its encryption context must be exactly the one of its scope; the key provider is asked to unwrap it
 * under the context built from the scope, never the context read from the row. Every use then checks that the
 * key's scope is one the caller expects, so a key of one column never opens another column's values; a key not
 * cached yet is checked against the caller's scopes before any key provider call.
 *
 * <p>Each cache holds its own copy of a key and destroys it when the entry is evicted (the removal listener sees an
 * entry once its key is ready), and has every thread's cached cipher forget it ({@link AesGcm#forget}). A thread
 * that was handed a key just before its eviction notices ({@link AesGcm.KeyDestroyedException}) and asks again.
 *
 * <p>Elapsed time comes from the encryptor's ticker (nanoseconds). With the default, {@link System#nanoTime()}, a
 * scheduler also evicts and wipes expired keys when no one touches the cache; with a ticker a test advances, there
 * is no scheduler and expired keys are evicted on the next access.
 */
final class DataKeyCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataKeyCache.class);
    static final String SCOPE_CONTEXT_KEY = "fieldcrypt:scope";

    /** Scopes of keys that are not data keys (blind index root keys); no data key scope may start with it. */
    static final String RESERVED_SCOPE_PREFIX = "fieldcrypt:";

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

    /**
     * One load in flight, owned by the caller that put it into the map. It completes with the key, or with no value
     * and {@link #failure}; Caffeine drops an entry whose future completes with no value.
     */
    private static final class Load<V> extends CompletableFuture<V> {
        /** Written before the completion, read after {@code join()}, which orders the two. */
        private Throwable failure;
        /** Whether the failure holds for every caller, or only for the owner's arguments. */
        private boolean shared;

        void fail(Throwable failure, boolean shared) {
            this.failure = failure;
            this.shared = shared;
            complete(null);
        }
    }

    /** A refusal that depends on the caller's arguments: callers waiting on the same load retry on their own. */
    private static final class CallerSpecific extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** What the caller gets. */
        final RuntimeException refusal;

        CallerSpecific(RuntimeException refusal) {
            super(null, refusal, false, false);
            this.refusal = refusal;
        }
    }

    /**
     * An unwrapped scope key, the data key scope it serves and the master key it was made under, both authenticated
     * by the key provider when it was unwrapped.
     */
    record OpenScopeKey(long id, String scope, String madeUnder, DataKeyMaterial material) {
        @Override
        public String toString() {
            return "OpenScopeKey[id=" + id + ", scope=" + scope + "]";
        }
    }

    /** What {@link #getOrLoad} found: the value, and whether this caller loaded it. */
    private record Found<V>(V value, CompletableFuture<V> future, boolean loaded) {}

    private final CountingKeyProvider provider;
    private final MasterKeys masterKeys;
    private final DataKeyStore store;
    private final Duration maxAge;
    private final boolean acceptVersion1;
    private final long maxUses;
    private final AsyncCache<String, ActiveKey> encryptionKeys;
    private final AsyncCache<Long, OpenKey> decryptionKeys;
    /** Unwrapped scope keys by id, with the data key scope each serves; bounded like the decryption keys. */
    private final AsyncCache<Long, OpenScopeKey> scopeKeys;

    private volatile boolean closed;
    private final LongAdder encryptionHits = new LongAdder();
    private final LongAdder encryptionMisses = new LongAdder();
    private final LongAdder decryptionHits = new LongAdder();
    private final LongAdder decryptionMisses = new LongAdder();

    DataKeyCache(
            CountingKeyProvider provider, MasterKeys masterKeys, DataKeyStore store, FieldEncryptor.Builder settings) {
        this.provider = provider;
        this.masterKeys = masterKeys;
        this.store = store;
        this.maxAge = settings.maxAge;
        this.acceptVersion1 = settings.acceptVersion1;
        this.maxUses = settings.maxUses;
        this.encryptionKeys = newBuilder(settings.ticker)
                .expireAfterWrite(settings.maxAge)
                .removalListener((RemovalListener<String, ActiveKey>) (scope, key, cause) -> {
                    if (key != null) {
                        key.material.destroy();
                        AesGcm.forget(key.material);
                        LOG.debug(
                                "data key {} of scope {} no longer used for encryption ({}, {} uses)",
                                key.id,
                                scope,
                                cause,
                                key.uses);
                    }
                })
                .buildAsync();
        this.decryptionKeys = newBuilder(settings.ticker)
                .expireAfterWrite(settings.decryptionKeyMaxAge)
                .maximumSize(settings.decryptionKeyCacheSize)
                .removalListener((RemovalListener<Long, OpenKey>) (id, key, cause) -> {
                    if (key != null) {
                        key.material().destroy();
                        AesGcm.forget(key.material());
                    }
                })
                .buildAsync();
        this.scopeKeys = newBuilder(settings.ticker)
                .expireAfterWrite(settings.decryptionKeyMaxAge)
                .maximumSize(settings.decryptionKeyCacheSize)
                .removalListener((RemovalListener<Long, OpenScopeKey>) (id, key, cause) -> {
                    if (key != null) {
                        key.material().destroy();
                    }
                })
                .buildAsync();
    }

    /** @param ticker nanoseconds from the encryptor's builder; null for real time */
    private static Caffeine<Object, Object> newBuilder(LongSupplier ticker) {
        // Listeners run on the thread that evicts or completes, so a key is wiped before that thread goes on.
        Caffeine<Object, Object> builder = Caffeine.newBuilder().executor(Runnable::run);
        if (ticker != null) {
            return builder.ticker(ticker::getAsLong);
        }
        // With real time, a scheduler evicts (and wipes) expired keys even when no one touches the cache.
        return builder.scheduler(Scheduler.systemScheduler());
    }

    /** Returns the current data key of {@code scope}, counting one use of it. */
    ActiveKey encryptionKey(String scope) {
        requireOpen();
        // The common case, a hit on a ready key, allocates nothing; anything else takes the single-flight path.
        ActiveKey ready = ready(encryptionKeys.getIfPresent(scope));
        if (ready != null && ready.uses.incrementAndGet() <= maxUses) {
            encryptionHits.increment();
            return ready;
        }
        while (true) {
            Found<ActiveKey> found = getOrLoad(encryptionKeys, scope, () -> {
                encryptionMisses.increment();
                return newDataKey(scope);
            });
            ActiveKey key = found.value();
            if (key.uses.incrementAndGet() <= maxUses) {
                if (!found.loaded()) {
                    encryptionHits.increment();
                }
                return key;
            }
            // Used up: remove it only if no other thread has replaced it already, then ask again.
            encryptionKeys.asMap().remove(scope, found.future());
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
        requireOpen();
        long id = envelope.dataKeyId();
        OpenKey ready = ready(decryptionKeys.getIfPresent(id));
        if (ready != null) {
            decryptionHits.increment();
            if (!scopes.contains(ready.scope())) {
                throw otherScope(id, ready.scope(), scopes);
            }
            return ready.material();
        }
        Found<OpenKey> found = getOrLoad(decryptionKeys, id, () -> {
            decryptionMisses.increment();
            return unwrap(id, scopes);
        });
        if (!found.loaded()) {
            decryptionHits.increment();
        }
        OpenKey key = found.value();
        if (!scopes.contains(key.scope())) {
            throw otherScope(id, key.scope(), scopes);
        }
        return key.material();
    }

    /** @return the value of a cached entry whose key is ready, or null (absent, loading, or failed) */
    private static <V> V ready(CompletableFuture<V> future) {
        return future != null && future.isDone() && !future.isCompletedExceptionally() ? future.getNow(null) : null;
    }

    /**
     * Returns the value cached under {@code key}, or loads it exactly once however many callers ask at once: the
     * caller whose future went into the map runs {@code load} on its own thread, outside any lock of the cache; the
     * others wait for that future. See the class javadoc.
     *
     * @throws RuntimeException what {@code load} threw, unwrapped, to its caller and to those waiting for it
     */
    private static <K, V> Found<V> getOrLoad(AsyncCache<K, V> cache, K key, Supplier<V> load) {
        while (true) {
            Load<V> mine = new Load<>();
            // The mapping function only hands over the incomplete future: nothing slow runs under Caffeine's lock.
            CompletableFuture<V> future = cache.get(key, (k, executor) -> mine);
            if (future == mine) {
                V value;
                try {
                    value = load.get();
                } catch (CallerSpecific e) {
                    failed(cache, key, mine, e.refusal, false);
                    throw e.refusal;
                } catch (Throwable t) {
                    // Also undeclared checked exceptions, or the entry would wait forever. A failure caused by
                    // interrupting this thread is this caller's own: the others load again instead of sharing it.
                    RuntimeException e = t instanceof RuntimeException runtime
                            ? runtime
                            : t instanceof Error error ? null : new FieldCryptException("loading a data key failed", t);
                    failed(
                            cache,
                            key,
                            mine,
                            e == null ? t : e,
                            !Thread.currentThread().isInterrupted());
                    if (e == null) {
                        throw (Error) t;
                    }
                    throw e;
                }
                mine.complete(value);
                return new Found<>(value, mine, true);
            }
            V value = future.join();
            if (value != null) {
                return new Found<>(value, future, false);
            }
            // Only a failed Load completes with no value (a key put by newDataKey is complete with one); it was
            // removed from the map before it completed.
            Load<V> failed = (Load<V>) future;
            if (failed.shared) {
                if (failed.failure instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) failed.failure;
            }
        }
    }

    /** Removes a failed load before completing it, so that no caller finds it once it is done. */
    private static <K, V> void failed(AsyncCache<K, V> cache, K key, Load<V> load, Throwable failure, boolean shared) {
        cache.asMap().remove(key, load);
        load.fail(failure, shared);
    }

    DataKeyStats stats() {
        return new DataKeyStats(
                provider.generateCalls.sum(),
                provider.decryptCalls.sum(),
                provider.reEncryptCalls.sum(),
                encryptionHits.sum(),
                encryptionMisses.sum(),
                decryptionHits.sum(),
                decryptionMisses.sum());
    }

    static Map<String, String> encryptionContext(String scope) {
        return Map.of(SCOPE_CONTEXT_KEY, scope);
    }

    /**
     * Makes a new data key of {@code scope} locally, wraps it under the scope's current scope key and stores it. The
     * key provider is called only if this process holds no unwrapped copy of that scope key, or there is none yet.
     */
    private ActiveKey newDataKey(String scope) {
        if (scope.startsWith(RESERVED_SCOPE_PREFIX)) {
            throw new IllegalArgumentException("scope " + scope + " is reserved for fieldcrypt's own keys (it starts"
                    + " with '" + RESERVED_SCOPE_PREFIX + "'); name the data key scope otherwise");
        }
        Map<String, String> context = encryptionContext(scope);
        for (int attempt = 1; ; attempt++) {
            StoredDataKey scopeKeyRow = currentScopeKey(scope);
            DataKeyMaterial dataKey = ScopeKeys.newDataKey();
            try {
                String current = masterKeys.currentCanonical();
                WrappedDataKey wrapped = withScopeKey(scopeKeyRow.id(), scope, () -> scopeKeyRow, scopeKey -> {
                    if (!scopeKey.madeUnder().equals(current)) {
                        // The table offered an older scope key as current (its state or master key rewritten):
                        // never wrap new data under it, it may have been exposed before the master key changed.
                        throw new DecryptionException("scope key " + scopeKey.id() + " of scope " + scope
                                + " was made under master key " + scopeKey.madeUnder() + ", not the current one ("
                                + current + "); refusing to wrap new data keys under it. The data key table offers"
                                + " it as the scope's current scope key: check who changed the table");
                    }
                    return ScopeKeys.wrap(scopeKeyRow.id(), scopeKey.material(), scope, dataKey);
                });
                // Durability first: the row is committed before any value can be encrypted under the key.
                StoredDataKey stored = store.insert(scope, wrapped, context, maxAge);
                decryptionKeys.put(
                        stored.id(),
                        CompletableFuture.completedFuture(new OpenKey(stored.id(), scope, dataKey.copy())));
                if (closed) {
                    // Closed while the key was made: nothing may keep it (the put copy is wiped by its listener).
                    decryptionKeys.synchronous().invalidate(stored.id());
                    throw new FieldCryptException("the encryptor was closed while a data key was made");
                }
                LOG.info("new data key {} for scope {} under scope key {}", stored.id(), scope, scopeKeyRow.id());
                return new ActiveKey(stored.id(), dataKey);
            } catch (InactiveScopeKeyException e) {
                // Retired or destroyed by another process since it was found: find (or make) the current one.
                dataKey.destroy();
                if (attempt == 3) {
                    throw e;
                }
            } catch (RuntimeException | Error e) {
                dataKey.destroy();
                throw e;
            }
        }
    }

    /**
     * Returns the scope key new data keys of {@code scope} are wrapped under: the oldest active one under the
     * current master key, made (and its unwrapped copy cached) if there is none.
     */
    private StoredDataKey currentScopeKey(String scope) {
        String current = masterKeys.currentCanonical();
        Map<String, String> context = ScopeKeys.encryptionContext(scope, current);
        FoundOrMade found = findOrGenerate(
                provider,
                masterKeys,
                context,
                make -> store.findOrMakeUnder(ScopeKeys.scope(scope), current, context, make));
        StoredDataKey row = found.row();
        if (found.made() != null) {
            LOG.info(
                    "new scope key {} for scope {} under master key {}",
                    row.id(),
                    scope,
                    row.wrapped().masterKeyId());
            scopeKeys.put(
                    row.id(),
                    CompletableFuture.completedFuture(new OpenScopeKey(row.id(), scope, current, found.made())));
            if (closed) {
                scopeKeys.synchronous().invalidate(row.id());
                throw new FieldCryptException("the encryptor was closed while a scope key was made");
            }
        }
        return row;
    }

    /**
     * Runs {@code use} with the unwrapped scope key {@code id}, serving {@code scope}, holding a copy of its material
     * that is wiped afterwards; the key is unwrapped (once, however many callers ask) from the row {@code row}
     * supplies, after checking it, if this process has no copy.
     */
    private <T> T withScopeKey(long id, String scope, Supplier<StoredDataKey> row, Function<OpenScopeKey, T> use) {
        while (true) {
            Found<OpenScopeKey> found = getOrLoad(scopeKeys, id, () -> unwrapScopeKey(row.get(), scope));
            OpenScopeKey key = found.value();
            if (!key.scope().equals(scope)) {
                throw new DecryptionException(
                        "scope key " + id + " serves scope " + key.scope() + ", not " + scope + "; refusing to use it");
            }
            DataKeyMaterial copy;
            try {
                copy = key.material().copy();
            } catch (IllegalStateException evicted) {
                // Evicted (and wiped) between the lookup and the copy: look it up again.
                continue;
            }
            try {
                return use.apply(new OpenScopeKey(key.id(), key.scope(), key.madeUnder(), copy));
            } finally {
                copy.destroy();
            }
        }
    }

    /**
     * Checks a scope key row against configuration, then unwraps it with the key provider under the context built
     * from the expected scope and the master key the row says it was made under, which the provider authenticates.
     */
    private OpenScopeKey unwrapScopeKey(StoredDataKey row, String scope) {
        String what = "scope key " + row.id();
        if (!row.scope().equals(ScopeKeys.scope(scope))) {
            // Refused for this caller's scope; a caller of the scope it does serve may use it.
            throw new CallerSpecific(new DecryptionException(what + " was found under scope " + row.scope()
                    + ", not as a scope key of " + scope + "; refusing to use it"));
        }
        String madeUnder = row.encryptionContext().get(ScopeKeys.MADE_UNDER_CONTEXT_KEY);
        if (madeUnder == null || madeUnder.isEmpty() || madeUnder.chars().anyMatch(Character::isISOControl)) {
            throw new DecryptionException(what + " of scope " + row.scope() + " is recorded without the master key"
                    + " it was made under; refusing to unwrap it");
        }
        Map<String, String> context = verifiedContext(row, masterKeys, ScopeKeys.encryptionContext(scope, madeUnder));
        DataKeyMaterial material = unwrapChecked(provider, row, context, what);
        LOG.debug("unwrapped {} of scope {}", what, scope);
        return new OpenScopeKey(row.id(), scope, madeUnder, material);
    }

    private OpenKey unwrap(long id, Set<String> scopes) {
        StoredDataKey row = store.find(id).orElseThrow(() -> new DataKeyNotFoundException(id, store.describe()));
        if (row.scope().startsWith(RESERVED_SCOPE_PREFIX)) {
            // A blind index root key (or another key of fieldcrypt's own) is never a data key, whatever the caller.
            throw new DecryptionException(
                    "key " + id + " of scope " + row.scope() + " is not a data key; refusing" + " to use it");
        }
        if (!scopes.contains(row.scope())) {
            // Refused for this caller's scopes, before any key provider call; another caller may accept the scope.
            throw new CallerSpecific(otherScope(id, row.scope(), scopes));
        }
        String what = "data key " + id;
        OptionalLong scopeKeyId = row.wrapped().scopeKeyId();
        DataKeyMaterial material;
        if (scopeKeyId.isPresent()) {
            if (!encryptionContext(row.scope()).equals(row.encryptionContext())) {
                throw new DecryptionException(what + " of scope " + row.scope() + " is recorded with another"
                        + " encryption context than its scope's; refusing to unwrap it");
            }
            long parent = scopeKeyId.getAsLong();
            material = withScopeKey(
                    parent,
                    row.scope(),
                    () -> store.find(parent).orElseThrow(() -> new DataKeyNotFoundException(parent, store.describe())),
                    scopeKey -> ScopeKeys.unwrap(parent, scopeKey.material(), row.scope(), row.wrapped(), what));
        } else {
            material = unwrapChecked(provider, row, verifiedContext(row, masterKeys), what);
        }
        LOG.debug("unwrapped data key {} of scope {}", id, row.scope());
        return new OpenKey(id, row.scope(), material);
    }

    /** A stored key, and its plaintext if this caller made it (else {@code null}: unwrap the row to use it). */
    record FoundOrMade(StoredDataKey row, DataKeyMaterial made) {
        @Override
        public String toString() {
            return "FoundOrMade[id=" + row.id() + ", made=" + (made != null) + "]";
        }
    }

    /**
     * Finds a key of the store's choosing or has it make one, which this generates with the key provider under
     * {@code context}; a key generated but not stored (the store failed) is wiped.
     *
     * @param find asks the store, handing it the maker to call only when there is no key yet
     */
    static FoundOrMade findOrGenerate(
            KeyProvider provider,
            MasterKeys masterKeys,
            Map<String, String> context,
            Function<Supplier<WrappedDataKey>, StoredDataKey> find) {
        GeneratedDataKey[] made = new GeneratedDataKey[1];
        try {
            StoredDataKey row = find.apply(() -> {
                made[0] = generate(provider, masterKeys, context);
                return made[0].wrapped();
            });
            return new FoundOrMade(row, made[0] == null ? null : made[0].plaintext());
        } catch (RuntimeException | Error e) {
            if (made[0] != null) {
                made[0].plaintext().destroy();
            }
            throw e;
        }
    }

    /**
     * Makes a key under the current master key, checking what the provider answered: 256 bits, wrapped under the
     * master key asked for.
     */
    static GeneratedDataKey generate(KeyProvider provider, MasterKeys masterKeys, Map<String, String> context) {
        GeneratedDataKey generated = provider.generateDataKey(masterKeys.current(), context);
        try {
            if (generated.plaintext().lengthBytes() != 32) {
                throw new KeyProviderException(
                        KeyProviderException.Reason.REJECTED,
                        "key provider returned a " + generated.plaintext().lengthBytes()
                                + "-byte data key; AES-256 needs 32 bytes");
            }
            String wrappedUnder = generated.wrapped().masterKeyId();
            String expected = masterKeys.currentCanonical();
            if (!wrappedUnder.equals(expected)) {
                throw new KeyProviderException(
                        KeyProviderException.Reason.WRONG_KEY,
                        "key provider made a data key" + " under master key " + wrappedUnder + ", but " + expected
                                + " was requested; refusing it");
            }
            return generated;
        } catch (RuntimeException | Error e) {
            generated.plaintext().destroy();
            throw e;
        }
    }

    /**
     * Unwraps a stored key under {@code context} (built from configuration, never read from the row), checking what
     * the provider answered: the master key the row names, 256 bits.
     *
     * @param what the key, for messages ("data key 7")
     * @throws DecryptionException if the stored form or its context was altered
     */
    static DataKeyMaterial unwrapChecked(
            KeyProvider provider, StoredDataKey row, Map<String, String> context, String what) {
        DecryptedDataKey decrypted;
        try {
            decrypted = provider.decryptDataKey(row.wrapped(), context);
        } catch (KeyProviderException e) {
            // The stored row, not the provider, is at fault: its wrapped key was not made under the master key it
            // names, or under the context it must have (KMS: InvalidCiphertextException, IncorrectKeyException).
            if (e.reason() == KeyProviderException.Reason.INVALID_CIPHERTEXT
                    || e.reason() == KeyProviderException.Reason.WRONG_KEY) {
                throw new DecryptionException(
                        what + " could not be unwrapped under master key "
                                + row.wrapped().masterKeyId() + ": its stored form or encryption context was altered",
                        e);
            }
            throw e;
        }
        String expected = row.wrapped().masterKeyId();
        if (!decrypted.masterKeyId().equals(expected)) {
            decrypted.plaintext().destroy();
            throw new KeyProviderException(
                    KeyProviderException.Reason.WRONG_KEY,
                    "key provider unwrapped " + what + " with master key " + decrypted.masterKeyId()
                            + ", but it is recorded under " + expected);
        }
        if (decrypted.plaintext().lengthBytes() != 32) {
            decrypted.plaintext().destroy();
            throw new DecryptionException(what + " is not a 256-bit key");
        }
        return decrypted.plaintext();
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
        return verifiedContext(row, masterKeys, encryptionContext(row.scope()));
    }

    /**
     * As {@link #verifiedContext(StoredDataKey, MasterKeys)}, for a row whose context is {@code context}: a data
     * key's, or a blind index root key's.
     */
    static Map<String, String> verifiedContext(StoredDataKey row, MasterKeys masterKeys, Map<String, String> context) {
        String masterKey = row.wrapped().masterKeyId();
        String kind = ScopeKeys.servedScopeOf(row.scope()) != null ? "scope key " : "data key ";
        if (!masterKeys.trusts(masterKey)) {
            throw new DecryptionException(kind + row.id() + " is wrapped under master key " + masterKey
                    + ", which is not a trusted master key; refusing to unwrap it. If that key is yours, add it to"
                    + " the trusted master keys");
        }
        if (!context.equals(row.encryptionContext())) {
            throw new DecryptionException(kind + row.id() + " of scope " + row.scope() + " is recorded with"
                    + " another encryption context than its scope's; refusing to unwrap it");
        }
        return context;
    }

    /** Forgets the current encryption key of every scope (wiping it); the next encryption makes a new one. */
    void discardEncryptionKeys() {
        encryptionKeys.synchronous().invalidateAll();
        encryptionKeys.synchronous().cleanUp();
    }

    private void requireOpen() {
        if (closed) {
            throw new FieldCryptException("the encryptor is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        discardEncryptionKeys();
        decryptionKeys.synchronous().invalidateAll();
        decryptionKeys.synchronous().cleanUp();
        scopeKeys.synchronous().invalidateAll();
        scopeKeys.synchronous().cleanUp();
    }
}
