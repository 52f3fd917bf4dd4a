package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * The second statement of an IDENTITY insert of an entity with encrypted attributes, all in its root table: the
 * INSERT makes the id, so it carries values sealed for {@link #PENDING_ROW}, which no id can have and which
 * therefore never open; this UPDATE, on the session's connection and in its transaction, replaces them with values
 * sealed for the generated id. If it fails, the transaction fails.
 *
 * @param sql {@code update <table> set <c1> = ?, ... where <id column> = ?}, one parameter per encrypted attribute in
 *     slot order
 */
record IdentityInsert(String sql) {

    /** The row id values of an IDENTITY insert are sealed for until the id exists: not the text of any id. */
    static final String PENDING_ROW = "\u0000fieldcrypt:identity-insert-pending";

    /**
     * @param table the entity's root table, ready for SQL
     * @param idColumn its id column, ready for SQL
     * @param columns the encrypted columns, in slot order, ready for SQL
     * @return the statement
     */
    static IdentityInsert of(String table, String idColumn, List<String> columns) {
        return new IdentityInsert(
                "update " + table + " set " + String.join(" = ?, ", columns) + " = ? where " + idColumn + " = ?");
    }

    /** Writes {@code stored} (null where a value stays NULL) for the row {@code id}. */
    void write(Object[] stored, Object id, SharedSessionContractImplementor session) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        PreparedStatement update = jdbc.getStatementPreparer().prepareStatement(sql);
        try {
            int p = 1;
            for (Object value : stored) {
                update.setObject(p++, value);
            }
            update.setObject(p, id);
            int rows = jdbc.getResultSetReturn().executeUpdate(update, sql);
            if (rows != 1) {
                throw new FieldCryptException("sealing the values of a new row for its IDENTITY id updated " + rows
                        + " rows instead of 1; the transaction must not commit");
            }
        } catch (SQLException e) {
            throw new FieldCryptException(
                    "sealing the values of a new row for its IDENTITY id failed (SQL state " + e.getSQLState()
                            + "); the transaction must not commit",
                    e);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(update);
            jdbc.afterStatementExecution();
        }
    }
}
