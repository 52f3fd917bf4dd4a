package io.fieldcrypt.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * The plain JDBC baseline of the row-job harnesses: the shape of fieldcrypt's row jobs without encryption. Keyset
 * batches over a {@code bigint id}, rows locked, one compare-and-set UPDATE per row sent as a JDBC batch, rewriting a
 * text column with another value of the same length, one transaction per batch.
 */
final class PlainKeysetUpdate {

    private PlainKeysetUpdate() {}

    /**
     * The shape of the re-encryption job without cryptography: keyset batches, rows locked, each of {@code columns}
     * ({@code bytea}) rewritten with random bytes of its length, by key alone (the rows are locked), one JDBC batch
     * and one transaction per batch.
     *
     * @param table the table, a fixed name of the harness
     * @param columns its {@code bytea} columns to rewrite
     * @param lock the row-locking clause of the batch query, as the job being compared uses
     * @return the rows updated
     */
    static long rewriteBytes(Connection c, String table, List<String> columns, String lock, int batch)
            throws SQLException {
        java.util.Random random = new java.util.Random(1);
        return keysetUpdate(
                c,
                "select id, " + String.join(", ", columns) + " from " + table + " where id > ? order by id limit ? "
                        + lock,
                "update " + table + " set " + String.join(" = ?, ", columns) + " = ? where id = ?",
                batch,
                (row, update) -> {
                    for (int i = 0; i < columns.size(); i++) {
                        byte[] fresh = new byte[row.getBytes(i + 2).length];
                        random.nextBytes(fresh);
                        update.setBytes(i + 1, fresh);
                    }
                    update.setLong(columns.size() + 1, row.getLong(1));
                });
    }

    /**
     * @param table the table, a fixed name of the harness
     * @param column the text column to rewrite
     * @param lock the row-locking clause of the batch query, as the job being compared uses
     * @return the rows updated
     */
    static long run(Connection c, String table, String column, String lock, int batch) throws SQLException {
        return keysetUpdate(
                c,
                "select id, " + column + " from " + table + " where id > ? order by id limit ? " + lock,
                "update " + table + " set " + column + " = ? where id = ? and " + column + " = ?",
                batch,
                (row, update) -> {
                    String text = row.getString(2);
                    update.setString(1, text.toUpperCase(Locale.ROOT));
                    update.setLong(2, row.getLong(1));
                    update.setString(3, text);
                });
    }

    /** Sets the update's parameters for one row of the batch query. */
    @FunctionalInterface
    private interface RowBinder {
        void bind(ResultSet row, PreparedStatement update) throws SQLException;
    }

    /**
     * The loop both jobs share: {@code select} (parameters: the last id, the batch size; the id first in its select
     * list) read in keyset batches, one {@code update} per row added to a JDBC batch, sent and committed per batch.
     *
     * @return the rows updated
     */
    private static long keysetUpdate(Connection c, String select, String update, int batch, RowBinder binder)
            throws SQLException {
        long done = 0;
        long after = 0;
        c.setAutoCommit(false);
        try (PreparedStatement query = c.prepareStatement(select);
                PreparedStatement write = c.prepareStatement(update)) {
            while (true) {
                query.setLong(1, after);
                query.setInt(2, batch);
                int inBatch = 0;
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getLong(1);
                        binder.bind(rs, write);
                        write.addBatch();
                        inBatch++;
                    }
                }
                for (int count : write.executeBatch()) {
                    done += count;
                }
                c.commit();
                if (inBatch == 0) {
                    return done;
                }
            }
        }
    }
}
