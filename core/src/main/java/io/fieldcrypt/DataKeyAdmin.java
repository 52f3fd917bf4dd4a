package io.fieldcrypt;

import io.fieldcrypt.spi.DataKeyCount;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations on the stored data keys behind a {@link FieldEncryptor}: rewrap them under the current master key,
 * retire the active ones, count them, destroy retired ones. Obtained from {@link FieldEncryptor#dataKeys()}.
 * Thread-safe; every operation is safe to repeat after a crash.
 */
public final class DataKeyAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(DataKeyAdmin.class);
    private static final int PAGE_SIZE = 500;

    private final KeyProvider provider;
    private final String masterKeyId;
    private final DataKeyStore store;
    private final Clock clock;
    private final Runnable discardEncryptionKeys;

    DataKeyAdmin(KeyProvider provider, String masterKeyId, DataKeyStore store, Clock clock,
            Runnable discardEncryptionKeys) {
        this.provider = provider;
        this.masterKeyId = masterKeyId;
        this.store = store;
        this.clock = clock;
        this.discardEncryptionKeys = discardEncryptionKeys;
    }

    /**
     * Re-encrypts every stored data key that is not under the configured master key with the key provider's
     * re-encrypt operation (KMS {@code ReEncrypt}): the plaintext keys never leave the provider, and no value
     * changes. Afterwards the old master key is no longer needed to read anything. Keys the provider refuses are
     * reported and left as they were; a rerun picks them up again.
     *
     * @return what was rewrapped, already current, or failed
     * @throws KeyProviderException if the configured master key itself cannot be resolved
     * @throws DataKeyStoreException if the data key table cannot be read or written
     */
    public RewrapReport rewrap() {
        String target = provider.canonicalMasterKeyId(masterKeyId);
        int[] counts = new int[Outcome.values().length];
        List<Long> failed = new ArrayList<>();
        forEachKey(key -> {
            Outcome outcome = rewrap(key, target);
            counts[outcome.ordinal()]++;
            if (outcome == Outcome.FAILED) {
                failed.add(key.id());
            }
        });
        int rewrapped = counts[Outcome.REWRAPPED.ordinal()];
        int current = counts[Outcome.ALREADY_CURRENT.ordinal()];
        LOG.info("rewrap under master key {}: {} rewrapped, {} already current, {} failed", target, rewrapped,
                current, failed.size());
        return new RewrapReport(rewrapped, current, failed.size(), failed);
    }

    private enum Outcome { REWRAPPED, ALREADY_CURRENT, FAILED }

    private Outcome rewrap(StoredDataKey key, String target) {
        if (key.wrapped().masterKeyId().equals(target)) {
            return Outcome.ALREADY_CURRENT;
        }
        WrappedDataKey rewrapped;
        try {
            rewrapped = provider.reEncryptDataKey(key.wrapped(), key.encryptionContext(), masterKeyId);
        } catch (KeyProviderException e) {
            LOG.warn("data key {} under master key {} could not be rewrapped ({}): {}", key.id(),
                    key.wrapped().masterKeyId(), e.reason(), e.getMessage());
            return Outcome.FAILED;
        }
        if (!rewrapped.masterKeyId().equals(target)) {
            LOG.warn("data key {}: the key provider rewrapped it under {} instead of {}; left unchanged", key.id(),
                    rewrapped.masterKeyId(), target);
            return Outcome.FAILED;
        }
        if (store.replaceWrapping(key.id(), key.wrapped(), rewrapped, clock.instant())) {
            return Outcome.REWRAPPED;
        }
        // Changed meanwhile: a concurrent rewrap got there first, unless the row went elsewhere.
        boolean nowCurrent = store.find(key.id()).map(row -> row.wrapped().masterKeyId().equals(target))
                .orElse(false);
        return nowCurrent ? Outcome.ALREADY_CURRENT : Outcome.FAILED;
    }

    /**
     * Retires every active data key, so new values get new data keys: at once in this process, and within the
     * maximum age of their cached keys in other processes. Values already written keep their keys until they are
     * re-encrypted or updated.
     *
     * @return how many keys were retired, and when
     * @throws DataKeyStoreException if the data key table cannot be written
     */
    public RotationReport rotate() {
        var now = clock.instant();
        int retired = store.retireActive(now);
        discardEncryptionKeys.run();
        LOG.info("retired {} data keys", retired);
        return new RotationReport(retired, now);
    }

    /**
     * @return how many keys are in each state under each master key
     * @throws DataKeyStoreException if the data key table cannot be read
     */
    public List<DataKeyCount> counts() {
        return store.countByStateAndMasterKey();
    }

    /**
     * @return every retired key, in id order
     * @throws DataKeyStoreException if the data key table cannot be read
     */
    public List<StoredDataKey> retiredKeys() {
        List<StoredDataKey> retired = new ArrayList<>();
        forEachKey(key -> {
            if (key.state() == DataKeyState.RETIRED) {
                retired.add(key);
            }
        });
        return retired;
    }

    /** Visits every stored key in id order, one page in memory at a time. */
    private void forEachKey(Consumer<StoredDataKey> action) {
        long after = 0;
        for (List<StoredDataKey> page = store.page(after, PAGE_SIZE); !page.isEmpty();
                page = store.page(after, PAGE_SIZE)) {
            page.forEach(action);
            after = page.get(page.size() - 1).id();
        }
    }

    /**
     * Deletes retired data keys. Whatever they protected can never be decrypted again: the caller must have made
     * sure that no value refers to them.
     *
     * @param ids the keys to delete; active keys among them are left alone
     * @return how many were deleted
     * @throws DataKeyStoreException if the data key table cannot be written
     */
    public int destroy(Collection<Long> ids) {
        int destroyed = store.deleteRetired(ids);
        LOG.info("destroyed {} retired data keys", destroyed);
        return destroyed;
    }
}
