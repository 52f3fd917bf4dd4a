package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.hibernate.engine.jdbc.spi.JdbcCoordinator;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;

/**
 * An UPDATE of one row by its id that fieldcrypt issues next to Hibernate's statements, on the session's connection
 * and in its transaction: its leading parameters, then the id's columns bound by the id mapping's own binders.
 *
 * @param sql {@code update <table> set ... where <key column> = ? and ...}, the key parameters last
 * @param what what the statement does, for messages ("writing a column of blind index Patient.emailIndex")
 */
record RowUpdate(String sql, String what) {

    /** Binds the parameters in front of the id's, from 1. */
    @FunctionalInterface
    interface Leading {
        /** @return the index of the id's first parameter */
        int bind(PreparedStatement statement) throws SQLException;
    }

    /**
     * @return how many rows the statement updated
     * @throws FieldCryptException if it fails; the transaction must not commit
     */
    // The id's JDBC values come with the binders of their own JDBC mappings.
    @SuppressWarnings("unchecked")
    int execute(Leading leading, Object id, EntityPersister persister, SharedSessionContractImplementor session) {
        JdbcCoordinator jdbc = session.getJdbcCoordinator();
        PreparedStatement update = jdbc.getStatementPreparer().prepareStatement(sql);
        try {
            int[] position = {leading.bind(update)};
            persister
                    .getIdentifierMapping()
                    .breakDownJdbcValues(
                            id,
                            (index, jdbcValue, mapping) -> {
                                try {
                                    mapping.getJdbcMapping()
                                            .getJdbcValueBinder()
                                            .bind(update, jdbcValue, position[0]++, session);
                                } catch (SQLException e) {
                                    throw new FieldCryptException(
                                            "cannot bind the row's id while " + what + " (SQL state " + e.getSQLState()
                                                    + ")",
                                            e);
                                }
                            },
                            session);
            return jdbc.getResultSetReturn().executeUpdate(update, sql);
        } catch (SQLException e) {
            throw new FieldCryptException(
                    what + " failed (SQL state " + e.getSQLState() + "); the transaction must not commit", e);
        } finally {
            jdbc.getLogicalConnection().getResourceRegistry().release(update);
            jdbc.afterStatementExecution();
        }
    }
}
