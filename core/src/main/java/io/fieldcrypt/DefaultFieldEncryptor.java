package io.fieldcrypt;

import io.fieldcrypt.spi.DataKeyMaterial;
import java.util.Objects;
import java.util.Set;

/** The {@link FieldEncryptor}: the cache hands out keys, {@link AesGcm} does the cryptography. */
final class DefaultFieldEncryptor implements FieldEncryptor {

    /** How often an operation asks again for a key that was evicted while it was being used. */
    private static final int EVICTION_RETRIES = 3;

    private final DataKeyCache cache;
    private final DataKeyAdmin dataKeys;
    private final BlindIndexKeys blindIndexKeys;

    DefaultFieldEncryptor(FieldEncryptor.Builder settings) {
        CountingKeyProvider provider = new CountingKeyProvider(settings.keyProvider, settings.keyProviderListener);
        MasterKeys masterKeys = new MasterKeys(provider, settings.masterKeyId, settings.trustedMasterKeyIds);
        masterKeys.resolveEagerly();
        this.cache = new DataKeyCache(provider, masterKeys, settings.dataKeyStore, settings);
        this.blindIndexKeys =
                new BlindIndexKeys(provider, masterKeys, settings.dataKeyStore, settings.beforeMakingBlindIndexRoot);
        this.dataKeys = new DataKeyAdmin(provider, masterKeys, settings.dataKeyStore, cache::discardEncryptionKeys);
    }

    @Override
    public byte[] seal(String scope, FieldContext context, byte[] plaintext) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(plaintext, "plaintext");
        for (int attempt = 0; ; attempt++) {
            DataKeyCache.ActiveKey key = cache.encryptionKey(scope);
            try {
                return AesGcm.seal(key.id, key.material, context, plaintext);
            } catch (AesGcm.KeyDestroyedException e) {
                if (attempt == EVICTION_RETRIES) {
                    throw new FieldCryptException(
                            "encryption failed: data keys of scope " + scope + " were evicted while in use "
                                    + (attempt + 1) + " times; raise the maximum age",
                            e);
                }
            }
        }
    }

    @Override
    public byte[] open(String scope, FieldContext context, byte[] envelope) {
        return open(Set.of(Objects.requireNonNull(scope, "scope")), context, envelope);
    }

    @Override
    public byte[] open(Set<String> scopes, FieldContext context, byte[] envelope) {
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(context, "context");
        // Null is a programming error, like in seal; only bytes that are there can be a malformed envelope.
        Envelope parsed = Envelope.wrapChecked(Objects.requireNonNull(envelope, "envelope"));
        for (int attempt = 0; ; attempt++) {
            DataKeyMaterial key = cache.decryptionKey(parsed, scopes);
            try {
                return AesGcm.open(parsed, key, context);
            } catch (AesGcm.KeyDestroyedException e) {
                if (attempt == EVICTION_RETRIES) {
                    throw new FieldCryptException(
                            "decryption failed: data key " + parsed.dataKeyId() + " was evicted while in use "
                                    + (attempt + 1) + " times; raise the cache size",
                            e);
                }
            }
        }
    }

    @Override
    public byte[] blindIndex(BlindIndexSpec index, byte[] value) {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(value, "value");
        return blindIndexKeys.compute(index, value);
    }

    @Override
    public DataKeyStats stats() {
        return cache.stats();
    }

    @Override
    public void discardEncryptionKeys() {
        cache.discardEncryptionKeys();
    }

    @Override
    public DataKeyAdmin dataKeys() {
        return dataKeys;
    }

    @Override
    public void close() {
        blindIndexKeys.close();
        cache.close();
    }
}
