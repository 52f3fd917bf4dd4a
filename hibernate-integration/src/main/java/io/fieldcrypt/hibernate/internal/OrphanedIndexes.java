package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.DataKeyStoreException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Clears blind index values whose source is gone: a {@code NULL} source (erased by SQL, or by a path that bypassed
 * fieldcrypt), or a source sealed under a data key that is no longer in the data key table (destroyed: the value is
 * crypto-shredded). A full-length index outlives its value as a confirmable guess ("is this row's e-mail
 * ada@example.org?"); clearing it completes the erasure. Each index is cleared in one transaction: the rows that
 * look orphaned are locked, then cleared by a statement that checks them again with a later snapshot, so a row
 * rewritten meanwhile (under a data key made meanwhile, too) keeps its new index.
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
            String orphaned = index.sqlColumn() + " is not null and (" + index.sourceColumn() + " is null or not"
                    + " exists (select 1 from " + runtime.settings().table() + " k where k.id = "
                    + EnvelopeSql.dataKeyId(index.sourceColumn(), index.sourceText()) + "))";
            // First lock the rows that look orphaned, then clear those that still are, in a statement whose snapshot
            // is taken after the locks: it sees a data key committed by a write that rewrote a row meanwhile.
            String lock = "select ctid from " + index.sqlTable() + " where " + orphaned + " for no key update";
            String clear = "update " + index.sqlTable() + " set " + index.sqlColumn() + " = null where ctid ="
                    + " any(?) and " + orphaned;
            long count = runtime.connections()
                    .inTransaction(
                            "clear the orphaned values of blind index " + index.label() + " in",
                            DataKeyStoreException::new,
                            connection -> {
                                java.util.List<Object> rows = new java.util.ArrayList<>();
                                try (var statement = connection.prepareStatement(lock);
                                        var rs = statement.executeQuery()) {
                                    while (rs.next()) {
                                        rows.add(rs.getObject(1));
                                    }
                                }
                                if (rows.isEmpty()) {
                                    return 0L;
                                }
                                try (var statement = connection.prepareStatement(clear)) {
                                    statement.setArray(1, connection.createArrayOf("tid", rows.toArray()));
                                    return (long) statement.executeUpdate();
                                }
                            });
            cleared.merge(index.label(), count, Long::sum);
        }
        runtime.evictSecondLevelCache();
        return cleared;
    }
}
