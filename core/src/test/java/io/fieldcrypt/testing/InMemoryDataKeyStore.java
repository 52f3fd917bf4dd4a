package io.fieldcrypt.testing;

import io.fieldcrypt.InactiveScopeKeyException;
import io.fieldcrypt.spi.DataKeyCount;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.DeletionGuard;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A {@link DataKeyStore} in memory, for unit tests of the engine that do not concern the table. The real table is
 * tested against PostgreSQL. Thread-safe.
 */
public final class InMemoryDataKeyStore implements DataKeyStore {

    private final ConcurrentSkipListMap<Long, StoredDataKey> rows = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public synchronized StoredDataKey insert(
            String scope, WrappedDataKey wrapped, Map<String, String> encryptionContext, Duration usableFor) {
        wrapped.scopeKeyId().ifPresent(scopeKey -> {
            StoredDataKey parent = rows.get(scopeKey);
            if (parent == null || parent.state() != DataKeyState.ACTIVE) {
                throw new InactiveScopeKeyException(scopeKey, describe());
            }
        });
        Instant now = Instant.now();
        StoredDataKey row = new StoredDataKey(
                ids.incrementAndGet(),
                scope,
                wrapped,
                encryptionContext,
                DataKeyState.ACTIVE,
                now,
                now.plus(usableFor),
                null);
        rows.put(row.id(), row);
        return row;
    }

    /** Serialises the finding and making of keys per scope, as the real table does, so scopes do not wait on each other. */
    private final ConcurrentHashMap<String, Object> scopeLocks = new ConcurrentHashMap<>();

    @Override
    public StoredDataKey findOrMake(
            String scope, Map<String, String> encryptionContext, Runnable beforeMaking, Supplier<WrappedDataKey> make) {
        synchronized (scopeLocks.computeIfAbsent(scope, s -> new Object())) {
            for (StoredDataKey row : rows.values()) {
                if (row.scope().equals(scope) && row.state() == DataKeyState.ACTIVE) {
                    return row;
                }
            }
            beforeMaking.run();
            return insert(scope, make.get(), encryptionContext, Duration.ZERO);
        }
    }

    @Override
    public StoredDataKey findOrMakeUnder(
            String scope, String masterKeyId, Map<String, String> encryptionContext, Supplier<WrappedDataKey> make) {
        synchronized (scopeLocks.computeIfAbsent(scope, s -> new Object())) {
            for (StoredDataKey row : rows.values()) {
                if (row.scope().equals(scope)
                        && row.state() == DataKeyState.ACTIVE
                        && row.wrapped().masterKeyId().equals(masterKeyId)
                        && row.encryptionContext().equals(encryptionContext)) {
                    return row;
                }
            }
            return insert(scope, make.get(), encryptionContext, Duration.ZERO);
        }
    }

    @Override
    public Optional<StoredDataKey> find(long id) {
        return Optional.ofNullable(rows.get(id));
    }

    @Override
    public List<StoredDataKey> page(Collection<String> scopes, long afterId, int limit) {
        return rows.tailMap(afterId, false).values().stream()
                .filter(row -> scopes.contains(row.scope()))
                .limit(limit)
                .toList();
    }

    @Override
    public Map<String, Long> countRetiredByScope() {
        return rows.values().stream()
                .filter(row -> row.state() == DataKeyState.RETIRED)
                .collect(Collectors.groupingBy(StoredDataKey::scope, TreeMap::new, Collectors.counting()));
    }

    @Override
    public synchronized boolean replaceWrapping(long id, WrappedDataKey expected, WrappedDataKey replacement) {
        StoredDataKey row = rows.get(id);
        if (row == null || !row.wrapped().equals(expected)) {
            return false;
        }
        rows.put(
                id,
                new StoredDataKey(
                        id,
                        row.scope(),
                        replacement,
                        row.encryptionContext(),
                        row.state(),
                        row.createdAt(),
                        row.expiresAt(),
                        row.retiredAt()));
        return true;
    }

    @Override
    public synchronized List<StoredDataKey> retireActive(Collection<String> scopes) {
        Instant now = Instant.now();
        List<StoredDataKey> retired = new ArrayList<>();
        for (StoredDataKey row : rows.values()) {
            if (row.state() == DataKeyState.ACTIVE && scopes.contains(row.scope())) {
                retired.add(retire(row.id(), now));
            }
        }
        return retired;
    }

    /**
     * Retires one key, whatever its scope, as a rotation elsewhere (or someone with write access to the table) could.
     *
     * @param id the key
     * @return the retired row
     */
    public synchronized StoredDataKey retire(long id) {
        return retire(id, Instant.now());
    }

    private StoredDataKey retire(long id, Instant now) {
        StoredDataKey row = rows.get(id);
        StoredDataKey retired = new StoredDataKey(
                row.id(),
                row.scope(),
                row.wrapped(),
                row.encryptionContext(),
                DataKeyState.RETIRED,
                row.createdAt(),
                row.expiresAt(),
                now);
        rows.put(id, retired);
        return retired;
    }

    /** Runs the guard without a connection: this store has none. */
    @Override
    public synchronized List<Long> deleteRetired(Collection<String> scopes, DeletionGuard guard) {
        List<StoredDataKey> keys = rows.values().stream()
                .filter(row -> row.state() == DataKeyState.RETIRED && scopes.contains(row.scope()))
                .toList();
        if (keys.isEmpty()) {
            return List.of();
        }
        try {
            guard.check(null, keys, Instant.now());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        Set<Long> deleting = keys.stream().map(StoredDataKey::id).collect(Collectors.toSet());
        Set<Long> stillWrapping = rows.values().stream()
                .filter(row -> !deleting.contains(row.id()))
                .map(row -> row.wrapped().scopeKeyId())
                .filter(OptionalLong::isPresent)
                .map(OptionalLong::getAsLong)
                .collect(Collectors.toSet());
        deleting.removeAll(stillWrapping);
        deleting.forEach(rows::remove);
        return deleting.stream().sorted().toList();
    }

    @Override
    public List<DataKeyCount> countByStateAndMasterKey(Collection<String> scopes) {
        record Group(DataKeyState state, String masterKeyId) {}
        return rows.values().stream()
                .filter(row -> scopes.contains(row.scope()))
                .collect(Collectors.groupingBy(
                        row -> new Group(row.state(), row.wrapped().masterKeyId()), Collectors.counting()))
                .entrySet()
                .stream()
                .map(e -> new DataKeyCount(e.getKey().state(), e.getKey().masterKeyId(), e.getValue()))
                .toList();
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
     * Deletes a row, as an attacker with write access to the table could.
     *
     * @param id the row's id
     */
    public void remove(long id) {
        rows.remove(id);
    }

    /**
     * Replaces a stored row, as an attacker with write access to the table could.
     *
     * @param row the new row, keyed by its id
     */
    public void overwrite(StoredDataKey row) {
        rows.put(row.id(), row);
    }
}
