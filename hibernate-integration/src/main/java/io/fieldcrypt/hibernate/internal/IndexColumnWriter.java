package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import java.util.List;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Writes one blind index column of one row by an UPDATE of its own, on the session's connection and in its
 * transaction, where Hibernate's statement does not: during a rotation, the column the handle is not mapped to (after
 * every insert, update and upsert, so both indexes stay complete); and the handle's own column when a {@code
 * DynamicUpdate} statement left it out although the source changed (a {@code @PreUpdate} callback or an interceptor
 * changed the source after fieldcrypt's flush listener ran).
 *
 * @param update {@code update <table> set <column> = ? where <key columns> = ?...}
 * @param hasher how the column's values are hashed
 * @param label the handle, {@code Entity.handle}, for messages
 */
record IndexColumnWriter(RowUpdate update, IndexConverter.Hasher hasher, String label) {

    /**
     * @param table the source's table, ready for SQL
     * @param keyColumns its key columns, ready for SQL, in the order of the id's JDBC values
     * @param column the unmapped index column, ready for SQL
     */
    static IndexColumnWriter of(
            String table, List<String> keyColumns, String column, IndexConverter.Hasher hasher, String label) {
        return new IndexColumnWriter(
                new RowUpdate(
                        "update " + table + " set " + column + " = ? where " + String.join(" = ? and ", keyColumns)
                                + " = ?",
                        "writing a column of blind index " + label),
                hasher,
                label);
    }

    /** Writes the index value of {@code plaintext} (the source's value) for the row {@code id}. */
    void write(Object plaintext, Object id, EntityPersister persister, SharedSessionContractImplementor session) {
        byte[] value = hasher.hash(plaintext, label);
        int rows = update.execute(
                statement -> {
                    statement.setBytes(1, value);
                    return 2;
                },
                id,
                persister,
                session);
        // An optional secondary table has no row while all its columns are null: then neither is there an index.
        if (rows != 1 && !(rows == 0 && value == null)) {
            throw new FieldCryptException("writing a column of blind index " + label + " updated " + rows
                    + " rows instead of 1; the transaction must not commit");
        }
    }
}
