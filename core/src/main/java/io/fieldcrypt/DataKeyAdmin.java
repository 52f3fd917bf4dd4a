package io.fieldcrypt;

import io.fieldcrypt.spi.DataKeyCount;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.DeletionGuard;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations on the stored data keys behind a {@link FieldEncryptor}: rewrap them under the current master key,
 * retire the active ones, count them, destroy retired ones. Obtained from {@link FieldEncryptor#dataKeys()}.
 *
 * <p>Every operation acts only on the scopes its caller names: the data key table may be shared with other
 * applications, whose keys are none of this one's business. Rows are checked against configuration before they are
 * used (a trusted master key, the encryption context of their scope). Thread-safe; every operation is safe to
 * repeat after a crash.
 */
public final class DataKeyAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(DataKeyAdmin.class);
    private static final int PAGE_SIZE = 500;

    private final KeyProvider provider;
    private final MasterKeys masterKeys;
    private final DataKeyStore store;
    private final Runnable discardEncryptionKeys;

    DataKeyAdmin(KeyProvider provider, MasterKeys masterKeys, DataKeyStore store, Runnable discardEncryptionKeys) {
        this.provider = provider;
        this.masterKeys = masterKeys;
        this.store = store;
        this.discardEncryptionKeys = discardEncryptionKeys;
    }

    /**
     * Re-encrypts every stored key of {@code scopes} (and their scope keys) that is not under the current master key
     * with the key provider's re-encrypt operation (KMS {@code ReEncrypt}): the plaintext keys never leave the
     * provider, and no value changes. Afterwards the old master key is no longer needed to read anything. Data keys
     * wrapped under a scope key are not touched: rewrapping their scope key is enough.
     *
     * <p>Before anything is rewrapped, every key of {@code scopes} is checked: a key under a master key that is not
     * trusted, or whose encryption context is not its scope's, refuses the whole run, so that a row planted in the
     * table is never laundered under the current master key. Keys the provider refuses are reported and left as
     * they were; a rerun picks them up again.
     *
     * @param scopes the scopes whose keys to rewrap
     * @return what was rewrapped, already current, or failed
     * @throws DecryptionException if a key of {@code scopes} cannot be trusted (naming it); nothing was rewrapped
     * @throws KeyProviderException if the current master key itself cannot be resolved
     * @throws DataKeyStoreException if the data key table cannot be read or written
     */
    public RewrapReport rewrap(Set<String> scopes) {
        String target = masterKeys.currentCanonical();
        List<StoredDataKey> keys = new ArrayList<>();
        List<Long> refused = new ArrayList<>();
        String[] firstReason = new String[1];
        forEachKey(withScopeKeys(scopes), key -> {
            if (key.wrapped().scopeKeyId().isPresent() && !key.scope().startsWith(DataKeyCache.RESERVED_SCOPE_PREFIX)) {
                // A data key wrapped under a scope key, not a master key: rewrapping its scope key is enough. (A scope
                // key or root key claiming to be wrapped under one is checked below, and refused.)
                return;
            }
            try {
                DataKeyCache.verifiedContext(key, masterKeys, expectedContext(key));
                keys.add(key);
            } catch (DecryptionException e) {
                refused.add(key.id());
                firstReason[0] = firstReason[0] == null ? e.getMessage() : firstReason[0];
            }
        });
        if (!refused.isEmpty()) {
            throw new DecryptionException("rewrap refused, nothing was rewrapped: " + refused.size()
                    + " key(s) cannot be trusted "
                    + (refused.size() > 20 ? refused.subList(0, 20) + "..." : refused) + ". The first: "
                    + firstReason[0]);
        }
        int rewrapped = 0;
        int current = 0;
        List<Long> failed = new ArrayList<>();
        for (StoredDataKey key : keys) {
            switch (rewrap(key, target)) {
                case REWRAPPED -> rewrapped++;
                case ALREADY_CURRENT -> current++;
                case FAILED -> failed.add(key.id());
            }
        }
        LOG.info(
                "rewrap under master key {}: {} rewrapped, {} already current, {} failed",
                target,
                rewrapped,
                current,
                failed.size());
        return new RewrapReport(rewrapped, current, failed);
    }

    /**
     * The context a stored key must have been wrapped under by the key provider: a blind index root key's, a scope
     * key's, or (for keys made before scope keys) a data key's.
     */
    private static Map<String, String> expectedContext(StoredDataKey key) {
        String group = BlindIndexKeys.keyGroupOf(key.scope());
        if (group != null) {
            return BlindIndexKeys.encryptionContext(group);
        }
        String served = ScopeKeys.servedScopeOf(key.scope());
        if (served == null) {
            return DataKeyCache.encryptionContext(key.scope());
        }
        // The master key it was made under is read from the row: the key provider authenticates it (a row recorded
        // with another one does not unwrap), so the check of the row's context is exactness, not its value.
        String madeUnder = key.encryptionContext().getOrDefault(ScopeKeys.MADE_UNDER_CONTEXT_KEY, "");
        return ScopeKeys.encryptionContext(served, madeUnder);
    }

    /**
     * @param storedScope the scope of a row of the data key table
     * @return the data key scope it serves: the data key scope whose scope key it is, or {@code storedScope} itself
     */
    public static String servedScope(String storedScope) {
        String served = ScopeKeys.servedScopeOf(storedScope);
        return served != null ? served : storedScope;
    }

    /** {@code scopes} and the scopes of their scope keys, which every operation on a scope's keys covers too. */
    private static Set<String> withScopeKeys(Set<String> scopes) {
        Set<String> all = new TreeSet<>(scopes);
        for (String scope : scopes) {
            if (!scope.startsWith(DataKeyCache.RESERVED_SCOPE_PREFIX)) {
                all.add(ScopeKeys.scope(scope));
            }
        }
        return all;
    }

    private enum Outcome {
        REWRAPPED,
        ALREADY_CURRENT,
        FAILED
    }

    private Outcome rewrap(StoredDataKey key, String target) {
        if (key.wrapped().masterKeyId().equals(target)) {
            return Outcome.ALREADY_CURRENT;
        }
        WrappedDataKey rewrapped;
        try {
            rewrapped = provider.reEncryptDataKey(key.wrapped(), expectedContext(key), masterKeys.current());
        } catch (KeyProviderException e) {
            LOG.warn(
                    "data key {} under master key {} could not be rewrapped ({}): {}",
                    key.id(),
                    key.wrapped().masterKeyId(),
                    e.reason(),
                    e.getMessage());
            return Outcome.FAILED;
        }
        if (!rewrapped.masterKeyId().equals(target)) {
            LOG.warn(
                    "data key {}: the key provider rewrapped it under {} instead of {}; left unchanged",
                    key.id(),
                    rewrapped.masterKeyId(),
                    target);
            return Outcome.FAILED;
        }
        if (store.replaceWrapping(key.id(), key.wrapped(), rewrapped)) {
            return Outcome.REWRAPPED;
        }
        // Changed meanwhile: a concurrent rewrap got there first, unless the row went elsewhere.
        boolean nowCurrent = store.find(key.id())
                .map(row -> row.wrapped().masterKeyId().equals(target))
                .orElse(false);
        return nowCurrent ? Outcome.ALREADY_CURRENT : Outcome.FAILED;
    }

    /**
     * Retires the active data keys of {@code scopes} and their scope keys, so new values get new data keys under a
     * new scope key: at once in this process, and within the maximum age of their cached keys in other processes. Values already written keep their keys until
     * they are re-encrypted or updated. The retirement time is the data key store's clock (PostgreSQL's
     * {@code now()}), which {@link #destroy} compares with.
     *
     * @param scopes the scopes whose keys to retire; keys of other scopes are left alone
     * @return how many keys were retired, and when
     * @throws DataKeyStoreException if the data key table cannot be written
     */
    public RotationReport rotate(Set<String> scopes) {
        List<StoredDataKey> retired = store.retireActive(withScopeKeys(scopes));
        discardEncryptionKeys.run();
        long dataKeys = retired.stream()
                .filter(key -> ScopeKeys.servedScopeOf(key.scope()) == null)
                .count();
        LOG.info(
                "retired {} data keys and {} scope keys of {} scope(s)",
                dataKeys,
                retired.size() - dataKeys,
                scopes.size());
        return new RotationReport(
                (int) dataKeys, retired.isEmpty() ? null : retired.get(0).retiredAt());
    }

    /**
     * @param scopes the scopes to count
     * @return how many keys of {@code scopes} and of their scope keys are in each state under each master key (a
     *     scope key, for data keys wrapped under one, named {@code fieldcrypt:key:<id>})
     * @throws DataKeyStoreException if the data key table cannot be read
     */
    public List<DataKeyCount> counts(Set<String> scopes) {
        return store.countByStateAndMasterKey(withScopeKeys(scopes));
    }

    /**
     * @param scopes the scopes whose keys to list; rows of other scopes are not read
     * @return the stored keys of {@code scopes}, in id order
     * @throws DataKeyStoreException if the data key table cannot be read
     * @throws DecryptionException if a row of {@code scopes} is malformed
     */
    public List<StoredDataKey> keys(Set<String> scopes) {
        List<StoredDataKey> keys = new ArrayList<>();
        forEachKey(scopes, keys::add);
        return keys;
    }

    /**
     * @param scopes the scopes whose keys to list
     * @return the retired keys of {@code scopes}, in id order
     * @throws DataKeyStoreException if the data key table cannot be read
     * @throws DecryptionException if a row of {@code scopes} is malformed
     */
    public List<StoredDataKey> retiredKeys(Set<String> scopes) {
        return keys(scopes).stream()
                .filter(key -> key.state() == DataKeyState.RETIRED)
                .toList();
    }

    /**
     * @return how many retired keys each scope of the table has, whoever they belong to; the rows themselves are
     *     not read
     * @throws DataKeyStoreException if the data key table cannot be read
     */
    public Map<String, Long> retiredKeyCountsByScope() {
        return store.countRetiredByScope();
    }

    /** Visits every stored key of {@code scopes} in id order, one page in memory at a time. */
    private void forEachKey(Set<String> scopes, Consumer<StoredDataKey> action) {
        long after = 0;
        for (List<StoredDataKey> page = store.page(scopes, after, PAGE_SIZE);
                !page.isEmpty();
                page = store.page(scopes, after, PAGE_SIZE)) {
            page.forEach(action);
            after = page.get(page.size() - 1).id();
        }
    }

    /**
     * Deletes the retired data keys of {@code scopes} and their retired scope keys, in one transaction in which
     * {@code guard} first checks that nothing needs them any more. A retired scope key that a key not deleted is
     * still wrapped under is kept. Whatever they protected can never be decrypted again through this table.
     *
     * @param scopes the scopes whose retired keys to delete; keys of other scopes are never deleted
     * @param guard the check, in the deleting transaction, that no stored or in-flight value uses the keys
     * @return the ids of the keys deleted
     * @throws DataKeyStoreException if the data key table cannot be written
     * @throws FieldCryptException whatever {@code guard} throws to refuse; then nothing was deleted
     */
    public List<Long> destroy(Set<String> scopes, DeletionGuard guard) {
        List<Long> destroyed = store.deleteRetired(withScopeKeys(scopes), guard);
        LOG.info("destroyed {} retired data keys {}", destroyed.size(), destroyed);
        return destroyed;
    }
}
