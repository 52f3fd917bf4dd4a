package io.fieldcrypt;

import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.StoredDataKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of blind indexes. Each key group has one root key, made once (whoever starts first, in any process) and
 * stored wrapped in the data key table under scope {@code fieldcrypt:blind-index:<group>}, with an encryption context
 * of its own purpose ({@code fieldcrypt:purpose = blind-index-root}), so a root key never unwraps as a data key and a
 * data key never unwraps as a root key. A root key is unwrapped once per encryptor and kept until it closes: every
 * insert, update and query through an index needs it.
 *
 * <p>Each index's key is HKDF-SHA-256 (RFC 5869) of the root key over the index's group, name and length, so no two
 * indexes share a key unless they share all three. An index value is HMAC-SHA-256 of the input under that key,
 * truncated to the index's length.
 *
 * <p>A root key row is trusted only if it is in the expected scope, wrapped under a trusted master key, recorded with
 * exactly the expected encryption context, and unwraps under that context built from configuration. Thread-safe.
 */
final class BlindIndexKeys implements AutoCloseable {

    static final String SCOPE_PREFIX = DataKeyCache.RESERVED_SCOPE_PREFIX + "blind-index:";
    static final String PURPOSE_CONTEXT_KEY = "fieldcrypt:purpose";
    static final String PURPOSE = "blind-index-root";
    static final String GROUP_CONTEXT_KEY = "fieldcrypt:key-group";

    private static final String HMAC = "HmacSHA256";
    private static final byte[] DERIVATION_LABEL = "fieldcrypt blind index v1".getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG = LoggerFactory.getLogger(BlindIndexKeys.class);

    private final KeyProvider provider;
    private final MasterKeys masterKeys;
    private final DataKeyStore store;
    private final Consumer<String> beforeMakingRoot;
    private final ConcurrentHashMap<String, CompletableFuture<DataKeyMaterial>> roots = new ConcurrentHashMap<>();
    /** Initialised per index; cloned for each use, since a {@link Mac} is not thread-safe. */
    private final ConcurrentHashMap<BlindIndexSpec, Mac> macs = new ConcurrentHashMap<>();

    private volatile boolean closed;

    BlindIndexKeys(KeyProvider provider, MasterKeys masterKeys, DataKeyStore store, Consumer<String> beforeMakingRoot) {
        this.provider = provider;
        this.masterKeys = masterKeys;
        this.store = store;
        this.beforeMakingRoot = beforeMakingRoot;
    }

    /** @return the index value of {@code value}: {@code index.bytes()} bytes, unused low bits zero */
    byte[] compute(BlindIndexSpec index, byte[] value) {
        Mac mac = mac(index);
        byte[] full = mac.doFinal(value);
        byte[] truncated = Arrays.copyOf(full, index.bytes());
        Arrays.fill(full, (byte) 0);
        int unused = truncated.length * 8 - index.bits();
        truncated[truncated.length - 1] &= (byte) (0xFF << unused);
        return truncated;
    }

    private Mac mac(BlindIndexSpec index) {
        Mac prototype = macs.get(index);
        if (prototype == null) {
            // The root key is loaded (KMS, the data key table) outside the map: no I/O under its lock.
            DataKeyMaterial root = root(index.keyGroup());
            prototype = macs.computeIfAbsent(index, i -> derive(i, root));
        }
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's " + HMAC + " cannot be cloned", e);
        }
    }

    private static Mac derive(BlindIndexSpec index, DataKeyMaterial root) {
        byte[] rootBytes = root.getEncoded();
        if (rootBytes == null) {
            throw new FieldCryptException("the encryptor is closed");
        }
        byte[] key = hkdfSha256(rootBytes, info(index));
        Arrays.fill(rootBytes, (byte) 0);
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " is not available in this JDK", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private DataKeyMaterial root(String group) {
        if (closed) {
            throw new FieldCryptException("the encryptor is closed");
        }
        CompletableFuture<DataKeyMaterial> mine = new CompletableFuture<>();
        CompletableFuture<DataKeyMaterial> existing = roots.putIfAbsent(group, mine);
        if (existing != null) {
            try {
                return existing.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        try {
            DataKeyMaterial loaded = loadRoot(group);
            mine.complete(loaded);
            if (closed) {
                // Closed while the key was loaded: close() may have missed it.
                loaded.destroy();
                throw new FieldCryptException("the encryptor is closed");
            }
            return loaded;
        } catch (RuntimeException | Error e) {
            // Not remembered: the next use tries again (KMS may be back).
            roots.remove(group, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private DataKeyMaterial loadRoot(String group) {
        String scope = scope(group);
        Map<String, String> context = encryptionContext(group);
        DataKeyCache.FoundOrMade found = DataKeyCache.findOrGenerate(
                provider,
                masterKeys,
                context,
                make -> store.findOrMake(scope, context, () -> beforeMakingRoot.accept(group), make));
        StoredDataKey row = found.row();
        if (found.made() != null) {
            LOG.info(
                    "new blind index root key {} for key group {} under master key {}",
                    row.id(),
                    group,
                    row.wrapped().masterKeyId());
            return found.made();
        }
        String what = "blind index root key " + row.id() + " of key group " + group;
        if (!row.scope().equals(scope)) {
            throw new DecryptionException(what + " was found under scope " + row.scope() + "; refusing to use it");
        }
        DataKeyCache.verifiedContext(row, masterKeys, context);
        DataKeyMaterial root = DataKeyCache.unwrapChecked(provider, row, context, what);
        LOG.debug("unwrapped {}", what);
        return root;
    }

    /**
     * @param group a key group
     * @return the data key table scope of its root key
     */
    static String scope(String group) {
        return SCOPE_PREFIX + group;
    }

    /** @return the key group whose root key {@code scope} is, or {@code null} for any other scope */
    static String keyGroupOf(String scope) {
        return scope.startsWith(SCOPE_PREFIX) ? scope.substring(SCOPE_PREFIX.length()) : null;
    }

    static Map<String, String> encryptionContext(String group) {
        return Map.of(PURPOSE_CONTEXT_KEY, PURPOSE, GROUP_CONTEXT_KEY, group);
    }

    /** The HKDF info of an index: a label, then its group and name (each length-prefixed), then its length. */
    static byte[] info(BlindIndexSpec index) {
        byte[] group = index.keyGroup().getBytes(StandardCharsets.UTF_8);
        byte[] name = index.name().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(DERIVATION_LABEL.length + 4 + group.length + 4 + name.length + 4)
                .put(DERIVATION_LABEL)
                .putInt(group.length)
                .put(group)
                .putInt(name.length)
                .put(name)
                .putInt(index.bits())
                .array();
    }

    /** HKDF-SHA-256 (RFC 5869) with no salt (32 zero bytes), producing one 32-byte block. */
    static byte[] hkdfSha256(byte[] inputKey, byte[] info) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(new byte[32], HMAC));
            byte[] pseudoRandomKey = mac.doFinal(inputKey);
            mac.init(new SecretKeySpec(pseudoRandomKey, HMAC));
            Arrays.fill(pseudoRandomKey, (byte) 0);
            mac.update(info);
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " is not available in this JDK", e);
        }
    }

    /** Wipes the root keys and forgets the index keys. */
    @Override
    public void close() {
        closed = true;
        macs.clear();
        roots.values().forEach(future -> {
            if (future.isDone() && !future.isCompletedExceptionally()) {
                future.join().destroy();
            }
        });
        roots.clear();
    }
}
