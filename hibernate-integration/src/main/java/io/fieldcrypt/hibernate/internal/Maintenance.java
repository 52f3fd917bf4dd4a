package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.DataKeyAdmin;
import io.fieldcrypt.RewrapReport;
import io.fieldcrypt.RotationReport;
import io.fieldcrypt.hibernate.DestroyReport;
import io.fieldcrypt.hibernate.FieldCryptStatus;
import io.fieldcrypt.hibernate.ReEncryptOptions;
import io.fieldcrypt.hibernate.ReEncryptReport;
import io.fieldcrypt.hibernate.RetiredKeysInUseException;
import io.fieldcrypt.spi.StoredDataKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations behind {@link io.fieldcrypt.hibernate.FieldCrypt}: rewrap, rotate, re-encrypt, status, destroy.
 * Public only so that the API class can reach it; not part of the API.
 */
public final class Maintenance {

    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

    private final FieldCryptRuntime runtime;
    private final DataKeyAdmin dataKeys;
    private final Clock clock = Clock.systemUTC();

    /**
     * @param runtime the runtime of one session factory
     */
    public Maintenance(FieldCryptRuntime runtime) {
        this.runtime = runtime;
        this.dataKeys = runtime.encryptor().dataKeys();
    }

    /** @return see {@link DataKeyAdmin#rewrap()} */
    public RewrapReport rewrap() {
        return dataKeys.rewrap();
    }

    /** @return see {@link DataKeyAdmin#rotate()} */
    public RotationReport rotate() {
        return dataKeys.rotate();
    }

    /**
     * @param options how to run
     * @return what the run did
     */
    public ReEncryptReport reEncrypt(ReEncryptOptions options) {
        List<Long> retired = dataKeys.retiredKeys().stream().map(StoredDataKey::id).toList();
        return new ReEncryption(runtime, retired, options).run();
    }

    /** @return the keys by state and master key, and the values still under retired keys */
    public FieldCryptStatus status() {
        List<Long> retired = dataKeys.retiredKeys().stream().map(StoredDataKey::id).toList();
        Map<String, Long> underRetired = new TreeMap<>();
        for (EncryptedTable table : runtime.tables()) {
            for (EncryptedTable.Column column : table.columns()) {
                underRetired.put(column.label(), retired.isEmpty() ? 0 : usage(table, column, retired).values()
                        .stream().mapToLong(Long::longValue).sum());
            }
        }
        return new FieldCryptStatus(dataKeys.counts(), underRetired);
    }

    /**
     * @param minimumRetiredAge how long ago a key must have been retired to be destroyed
     * @return the keys destroyed
     */
    public DestroyReport destroyRetired(Duration minimumRetiredAge) {
        List<StoredDataKey> retired = dataKeys.retiredKeys();
        if (retired.isEmpty()) {
            return new DestroyReport(List.of());
        }
        Instant cutoff = clock.instant().minus(minimumRetiredAge);
        List<StoredDataKey> recent = retired.stream().filter(k -> k.retiredAt() == null
                || k.retiredAt().isAfter(cutoff)).toList();
        if (!recent.isEmpty()) {
            Instant retryAfter = recent.stream().map(StoredDataKey::retiredAt).filter(java.util.Objects::nonNull)
                    .max(Instant::compareTo).orElse(clock.instant()).plus(minimumRetiredAge);
            throw new RetiredKeysInUseException("cannot destroy retired data keys yet: keys "
                    + recent.stream().map(StoredDataKey::id).toList() + " were retired less than " + minimumRetiredAge
                    + " ago (fieldcrypt.data-key.max-age), so running instances may still encrypt new values with"
                    + " them. After " + retryAfter + ", run reEncrypt() until it reports 0 remaining, then destroy");
        }
        List<Long> ids = retired.stream().map(StoredDataKey::id).toList();
        Map<String, Map<Long, Long>> inUse = new LinkedHashMap<>();
        for (EncryptedTable table : runtime.tables()) {
            for (EncryptedTable.Column column : table.columns()) {
                Map<Long, Long> usage = usage(table, column, ids);
                if (!usage.isEmpty()) {
                    inUse.put(column.label(), usage);
                }
            }
        }
        if (!inUse.isEmpty()) {
            long values = inUse.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
            String where = inUse.entrySet().stream().map(e -> e.getKey() + ": "
                    + e.getValue().values().stream().mapToLong(Long::longValue).sum() + " values (data keys "
                    + new TreeSet<>(e.getValue().keySet()) + ")").collect(Collectors.joining("; "));
            throw new RetiredKeysInUseException("cannot destroy retired data keys: " + values + " stored values still"
                    + " use them (" + where + "); destroying the keys would make those values unreadable forever."
                    + " Run reEncrypt() until it reports 0 remaining, then destroy");
        }
        int destroyed = dataKeys.destroy(ids);
        runtime.evictSecondLevelCache();
        LOG.info("destroyed {} retired data keys {}", destroyed, ids);
        return new DestroyReport(ids);
    }

    /** How many values of {@code column} use each of {@code keys}; only keys in use appear. */
    private Map<Long, Long> usage(EncryptedTable table, EncryptedTable.Column column, List<Long> keys) {
        String sql = "select " + column.dataKeyIdSql() + " as k, count(*) from " + table.sqlName() + " where "
                + column.dataKeyIdSql() + " = any(?) group by k";
        return Jdbc.inTransaction(runtime.connections(), "count the values of " + column.label(), connection -> {
            Map<Long, Long> usage = new TreeMap<>();
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setArray(1, connection.createArrayOf("bigint", keys.toArray()));
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        usage.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            return usage;
        });
    }
}
