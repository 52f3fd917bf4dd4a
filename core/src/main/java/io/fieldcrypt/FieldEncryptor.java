package io.fieldcrypt;

import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.KeyProviderListener;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Seals values into {@link Envelope}s bound to their {@link FieldContext}, and opens them again: envelope encryption
 * with AES-256-GCM under data keys that come from a {@link KeyProvider}, are stored wrapped in a
 * {@link DataKeyStore}, and are cached in memory within bounds.
 *
 * <p>Thread-safe. Build one per application (per key provider and data key table) and share it; {@link #close()}
 * wipes the cached keys.
 *
 * <p>Null: every argument of {@link #seal} and {@link #open} is required. A null argument ({@code scope},
 * {@code scopes}, {@code context}, {@code plaintext}, {@code envelope}) is a programming error and throws
 * {@link NullPointerException} naming the parameter, before anything else is done; bytes that are present but are
 * not an envelope throw {@link EnvelopeFormatException}.
 *
 * <pre>{@code
 * FieldEncryptor encryptor = FieldEncryptor.builder()
 *         .keyProvider(KeyProviders.local(LocalMasterKeys.parse("dev:...")))
 *         .masterKeyId("dev")
 *         .dataKeyStore(DataKeyStores.postgres(ConnectionSource.of(dataSource), "fieldcrypt_data_key", SchemaMode.CREATE))
 *         .build();
 * FieldContext where = FieldContext.of("Customer", "customer", "ssn", "42");
 * byte[] sealed = encryptor.seal("customer.ssn", where, plaintext);
 * byte[] back = encryptor.open("customer.ssn", where, sealed);
 * }</pre>
 */
public interface FieldEncryptor extends AutoCloseable {

    /**
     * Encrypts a value under the current data key of {@code scope}, binding it to {@code context}. Makes and stores
     * a new data key first when the scope has none, or its current one reached its maximum age or uses.
     *
     * @param scope what the data key serves, by default {@code <table>.<column>}
     * @param context the entity, column and id the value belongs to
     * @param plaintext the value's bytes; not modified
     * @return the binary envelope
     * @throws NullPointerException if {@code scope}, {@code context} or {@code plaintext} is null
     * @throws KeyProviderException if a new data key was needed and the key provider failed
     * @throws DataKeyStoreException if a new data key was needed and could not be stored; nothing was encrypted
     */
    byte[] seal(String scope, FieldContext context, byte[] plaintext);

    /**
     * Decrypts an envelope, checking that it was sealed for exactly {@code context} under a data key of
     * {@code scope}. Equivalent to {@link #open(Set, FieldContext, byte[])} with that one scope.
     *
     * @param scope the scope the value's data key must serve
     * @param context the entity, table, column and id the value is read from
     * @param envelope the binary envelope
     * @return the plaintext bytes
     * @throws NullPointerException if {@code scope}, {@code context} or {@code envelope} is null
     * @throws EnvelopeFormatException if the bytes are not an envelope
     * @throws DataKeyNotFoundException if the envelope's data key is not in the table
     * @throws DecryptionException if the value was tampered with or sealed for another context, or its data key
     *     cannot be trusted (another scope, an untrusted master key, a mismatching encryption context)
     * @throws KeyProviderException if the data key had to be unwrapped and the key provider failed
     */
    byte[] open(String scope, FieldContext context, byte[] envelope);

    /**
     * Decrypts an envelope, checking that it was sealed for exactly {@code context} under a data key of one of
     * {@code scopes}. The scopes come from the caller's configuration, never from the data key table: a data key
     * row is used only if its master key is trusted, its scope is one of {@code scopes}, and its encryption
     * context is exactly that scope's. More than one scope serves a column whose scope changed while values under
     * the earlier one remain.
     *
     * @param scopes the scopes the value's data key may serve; not empty
     * @param context the entity, table, column and id the value is read from
     * @param envelope the binary envelope
     * @return the plaintext bytes
     * @throws NullPointerException if {@code scopes}, {@code context} or {@code envelope} is null
     * @throws EnvelopeFormatException if the bytes are not an envelope
     * @throws DataKeyNotFoundException if the envelope's data key is not in the table
     * @throws DecryptionException if the value was tampered with or sealed for another context, or its data key
     *     cannot be trusted (another scope, an untrusted master key, a mismatching encryption context)
     * @throws KeyProviderException if the data key had to be unwrapped and the key provider failed
     */
    byte[] open(Set<String> scopes, FieldContext context, byte[] envelope);

    /**
     * @return the counters since this encryptor was built
     */
    DataKeyStats stats();

    /**
     * Computes a blind index value: HMAC-SHA-256 of {@code value} under the index's own key, truncated to
     * {@code index.bits()}. Equal inputs give equal values for the same index, and unrelated values for any other
     * index (another group, name or length). The index key is derived (HKDF-SHA-256) from its key group's root key,
     * which is made on the group's first use by whichever process comes first, stored wrapped in the data key table
     * (scope {@code fieldcrypt:blind-index:<group>}, an encryption context of its own purpose), and unwrapped once
     * per encryptor.
     *
     * @param index which index
     * @param value the (already transformed) input bytes; not modified
     * @return {@code index.bytes()} bytes, the unused low bits of the last one zero
     * @throws NullPointerException if an argument is null
     * @throws KeyProviderException if the root key had to be made or unwrapped and the key provider failed
     * @throws DataKeyStoreException if the root key could not be read or stored
     * @throws DecryptionException if the stored root key cannot be trusted (untrusted master key, altered context)
     */
    byte[] blindIndex(BlindIndexSpec index, byte[] value);

    /**
     * Stops using this process's current data keys for new values: the next encryption of each scope makes a new
     * data key. Values already written are not touched.
     */
    void discardEncryptionKeys();

    /**
     * @return the administration of the stored data keys behind this encryptor (rewrap, rotate, count, destroy);
     *     its key provider calls count in {@link #stats()}
     */
    DataKeyAdmin dataKeys();

    /** Drops and wipes every cached data key; afterwards seal and open throw {@link FieldCryptException}. */
    @Override
    void close();

    /**
     * @return a builder with the defaults documented on its setters
     */
    static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link FieldEncryptor}. Not thread-safe; build once. */
    final class Builder {

        /** The default maximum age of a data key used for encryption: 5 minutes. */
        public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);
        /**
         * The default maximum number of encryptions under one data key in one process: 2^24, far below the 2^32
         * that NIST SP 800-38D allows for random 96-bit nonces.
         */
        public static final long DEFAULT_MAX_USES = 1L << 24;
        /** The largest accepted maximum number of uses: 2^31, half the NIST limit. */
        public static final long MAX_MAX_USES = 1L << 31;
        /** The default maximum age of an unwrapped data key kept for decryption: 5 minutes. */
        public static final Duration DEFAULT_DECRYPTION_KEY_MAX_AGE = Duration.ofMinutes(5);
        /** The default maximum number of unwrapped data keys kept for decryption: 1000. */
        public static final long DEFAULT_DECRYPTION_KEY_CACHE_SIZE = 1000;

        KeyProvider keyProvider;
        String masterKeyId;
        Set<String> trustedMasterKeyIds = Set.of();
        DataKeyStore dataKeyStore;
        Duration maxAge = DEFAULT_MAX_AGE;
        long maxUses = DEFAULT_MAX_USES;
        Duration decryptionKeyMaxAge = DEFAULT_DECRYPTION_KEY_MAX_AGE;
        long decryptionKeyCacheSize = DEFAULT_DECRYPTION_KEY_CACHE_SIZE;
        boolean acceptVersion1 = true;
        /** Elapsed nanoseconds for cache expiry; null means {@link System#nanoTime()} with background eviction. */
        LongSupplier ticker;

        KeyProviderListener keyProviderListener = call -> {};
        Consumer<String> beforeMakingBlindIndexRoot = group -> {};

        Builder() {}

        /**
         * @param keyProvider makes and unwraps data keys; required. The caller keeps ownership (and closes it).
         * @return this builder
         */
        public Builder keyProvider(KeyProvider keyProvider) {
            this.keyProvider = Objects.requireNonNull(keyProvider, "keyProvider");
            return this;
        }

        /**
         * @param listener told of every call to the key provider (its operation, duration and outcome), for metrics
         *     and health checks; default: none
         * @return this builder
         */
        public Builder keyProviderListener(KeyProviderListener listener) {
            this.keyProviderListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param masterKeyId the master key new data keys are wrapped under; required
         * @return this builder
         */
        public Builder masterKeyId(String masterKeyId) {
            this.masterKeyId = Objects.requireNonNull(masterKeyId, "masterKeyId");
            return this;
        }

        /**
         * @param masterKeyIds further master keys data keys may be unwrapped under (for AWS KMS key ids, key ARNs,
         *     aliases or alias ARNs), typically the previous master key until its data keys are rewrapped; the
         *     {@linkplain #masterKeyId current master key} is always trusted. Default: none. A data key row under any
         *     other master key is refused, whatever the key provider could decrypt.
         * @return this builder
         */
        public Builder trustedMasterKeyIds(Collection<String> masterKeyIds) {
            this.trustedMasterKeyIds = Set.copyOf(masterKeyIds);
            return this;
        }

        /**
         * @param dataKeyStore where wrapped data keys are stored; required
         * @return this builder
         */
        public Builder dataKeyStore(DataKeyStore dataKeyStore) {
            this.dataKeyStore = Objects.requireNonNull(dataKeyStore, "dataKeyStore");
            return this;
        }

        /**
         * @param maxAge how long a data key is used for new encryptions; default {@link #DEFAULT_MAX_AGE}
         * @return this builder
         */
        public Builder maxAge(Duration maxAge) {
            this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
            return this;
        }

        /**
         * @param maxUses how many values one data key encrypts in this process before a new one is made; default
         *     {@link #DEFAULT_MAX_USES}, at most {@link #MAX_MAX_USES}
         * @return this builder
         */
        public Builder maxUses(long maxUses) {
            this.maxUses = maxUses;
            return this;
        }

        /**
         * @param maxAge how long an unwrapped data key stays in memory for decryption; default
         *     {@link #DEFAULT_DECRYPTION_KEY_MAX_AGE}
         * @return this builder
         */
        public Builder decryptionKeyMaxAge(Duration maxAge) {
            this.decryptionKeyMaxAge = Objects.requireNonNull(maxAge, "maxAge");
            return this;
        }

        /**
         * @param size how many unwrapped data keys stay in memory for decryption at most; default
         *     {@link #DEFAULT_DECRYPTION_KEY_CACHE_SIZE}
         * @return this builder
         */
        public Builder decryptionKeyCacheSize(long size) {
            this.decryptionKeyCacheSize = size;
            return this;
        }

        /**
         * @param accept whether envelopes of format version 1 (sealed without their table in the associated data)
         *     are still opened; default {@code true}. Turn it off once no version 1 value remains (the re-encryption
         *     job moves them): a version 1 value copied between same-named columns of two tables sharing a scope
         *     would otherwise still open.
         * @return this builder
         */
        public Builder acceptVersion1(boolean accept) {
            this.acceptVersion1 = accept;
            return this;
        }

        /**
         * Sets the source of elapsed time that the data key caches measure {@linkplain #maxAge ages} with: a
         * monotonic count of nanoseconds, of which only differences are used (like {@link System#nanoTime()}, the
         * default). Wall-clock time is not needed: the data key table records its times with the database's clock.
         *
         * <p>Public so that tests of code built on this encryptor, not only its own, can advance time instead of
         * sleeping (as Caffeine's {@code Ticker}, whose type stays out of this API). With the default, a background
         * scheduler also evicts and wipes expired keys when the encryptor is idle; with a ticker set here there is no
         * scheduler, and expired keys are evicted and wiped at the next access or {@link FieldEncryptor#close()}.
         *
         * @param nanoTicker returns the current time in nanoseconds from an arbitrary origin, never decreasing;
         *     called concurrently, so it must be thread-safe
         * @return this builder
         */
        public Builder ticker(LongSupplier nanoTicker) {
            this.ticker = Objects.requireNonNull(nanoTicker, "nanoTicker");
            return this;
        }

        /**
         * @param check called with a key group's name before its blind index root key is made (serialised with every
         *     other process making it); it refuses by throwing, and then no key is made. Default: none. An integration
         *     uses it to refuse a new root key while index values made under a lost one are still stored.
         * @return this builder
         */
        public Builder beforeMakingBlindIndexRoot(Consumer<String> check) {
            this.beforeMakingBlindIndexRoot = Objects.requireNonNull(check, "check");
            return this;
        }

        /**
         * Builds the encryptor, resolving the current and trusted master keys through the key provider now (for
         * AWS KMS, {@code DescribeKey}); if the provider cannot be reached, they are resolved at first use.
         *
         * @return a new encryptor
         * @throws ConfigurationException if a required part is missing or a bound is out of range
         * @throws KeyProviderException if a master key does not exist, is disabled or may not be used
         */
        public FieldEncryptor build() {
            require(keyProvider != null, "a key provider is required");
            require(masterKeyId != null && !masterKeyId.isBlank(), "a master key id is required");
            require(dataKeyStore != null, "a data key store is required");
            require(!maxAge.isNegative() && !maxAge.isZero(), "maxAge must be positive, got " + maxAge);
            require(
                    maxUses >= 1 && maxUses <= MAX_MAX_USES,
                    "maxUses must be between 1 and " + MAX_MAX_USES + ", got " + maxUses);
            require(
                    !decryptionKeyMaxAge.isNegative() && !decryptionKeyMaxAge.isZero(),
                    "decryptionKeyMaxAge must be positive, got " + decryptionKeyMaxAge);
            require(
                    decryptionKeyCacheSize >= 1,
                    "decryptionKeyCacheSize must be at least 1, got " + decryptionKeyCacheSize);
            return new DefaultFieldEncryptor(this);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new ConfigurationException(message);
            }
        }
    }
}
