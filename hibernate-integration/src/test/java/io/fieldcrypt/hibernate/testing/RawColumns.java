package io.fieldcrypt.hibernate.testing;

import io.fieldcrypt.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads and writes one stored column of one row over plain JDBC, behind Hibernate's back: what the database holds,
 * and what someone with write access to it can put there.
 */
public final class RawColumns {

    private RawColumns() {}

    /**
     * @param db the database
     * @param table the table
     * @param column a bytea column
     * @param id the row's id (column {@code id})
     * @return the stored bytes
     * @throws SQLException if the query fails
     * @throws AssertionError if there is no such row
     */
    public static byte[] read(TestDatabase db, String table, String column, long id) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement select =
                        c.prepareStatement("select " + column + " from " + table + " where id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("no row " + id + " in " + table);
                }
                return rs.getBytes(1);
            }
        }
    }

    /**
     * Overwrites a bytea column of one row.
     *
     * @throws SQLException if the update fails
     * @throws AssertionError if it did not change exactly one row
     */
    public static void write(TestDatabase db, String table, String column, long id, byte[] value) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement update =
                        c.prepareStatement("update " + table + " set " + column + " = ? where id = ?")) {
            update.setBytes(1, value);
            update.setLong(2, id);
            if (update.executeUpdate() != 1) {
                throw new AssertionError("no row " + id + " in " + table);
            }
        }
    }
}
