package io.fieldcrypt.testing;

import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link DataKeyStore} in memory, for unit tests of the engine that do not concern the table. The real table is
 * tested against PostgreSQL. Thread-safe.
 */
public final class InMemoryDataKeyStore implements DataKeyStore {

    private final Map<Long, StoredDataKey> rows = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public StoredDataKey insert(String scope, WrappedDataKey wrapped, Map<String, String> encryptionContext,
            Instant createdAt) {
        StoredDataKey row = new StoredDataKey(ids.incrementAndGet(), scope, wrapped, encryptionContext,
                DataKeyState.ACTIVE, createdAt);
        rows.put(row.id(), row);
        return row;
    }

    @Override
    public Optional<StoredDataKey> find(long id) {
        return Optional.ofNullable(rows.get(id));
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    /** @return how many keys are stored */
    public int size() {
        return rows.size();
    }

    /**
     * Replaces a stored row, as an attacker with write access to the table could.
     *
     * @param row the new row, keyed by its id
     */
    public void overwrite(StoredDataKey row) {
        rows.put(row.id(), row);
    }

    /**
     * @param id the row to delete
     */
    public void delete(long id) {
        rows.remove(id);
    }
}
