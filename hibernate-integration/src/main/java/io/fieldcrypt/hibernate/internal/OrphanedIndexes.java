package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.DataKeyStoreException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Clears blind index values whose source is gone: a {@code NULL} source (erased by SQL, or by a path that bypassed
 * fieldcrypt), or a source sealed under a data key that is no longer in the data key table (destroyed: the value is
 * crypto-shredded). A full-length index outlives its value as a confirmable guess ("is this row's e-mail
 * ada@example.org?"); clearing it completes the erasure. Each index is cleared by one UPDATE whose condition
 * PostgreSQL checks again on every row it locks, so a row rewritten meanwhile keeps its new index.
 */
public final class OrphanedIndexes {

    private final FieldCryptRuntime runtime;

    public OrphanedIndexes(FieldCryptRuntime runtime) {
        this.runtime = runtime;
    }

    /** @return how many index values were cleared, by handle ({@code Entity.attribute}), in mapping order */
    public Map<String, Long> clear() {
        Map<String, Long> cleared = new LinkedHashMap<>();
        for (FieldCryptRuntime.IndexColumn index : runtime.indexColumns()) {
            String sql = "update " + index.sqlTable() + " set " + index.sqlColumn() + " = null where "
                    + index.sqlColumn() + " is not null and (" + index.sourceColumn() + " is null or not exists"
                    + " (select 1 from " + runtime.settings().table() + " k where k.id = "
                    + EnvelopeSql.dataKeyId(index.sourceColumn(), index.sourceText()) + "))";
            long count = runtime.connections()
                    .inTransaction(
                            "clear the orphaned values of blind index " + index.label() + " in",
                            DataKeyStoreException::new,
                            connection -> {
                                try (var statement = connection.prepareStatement(sql)) {
                                    return (long) statement.executeUpdate();
                                }
                            });
            cleared.merge(index.label(), count, Long::sum);
        }
        runtime.evictSecondLevelCache();
        return cleared;
    }
}
