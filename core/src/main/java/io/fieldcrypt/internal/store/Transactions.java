package io.fieldcrypt.internal.store;

import io.fieldcrypt.spi.ConnectionSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fieldcrypt's own short transactions: one connection, auto-commit off, commit at the end, rollback on failure,
 * the connection's auto-commit mode restored and the connection released.
 */
public final class Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

    /** Work on one connection. */
    public interface Work<T> {
        /**
         * @param connection the connection, in a transaction
         * @return the result
         * @throws SQLException if a statement fails; the transaction is rolled back
         */
        T run(Connection connection) throws SQLException;
    }

    private Transactions() {
    }

    /**
     * @param connections where the connection comes from
     * @param what what the work does, to start error messages with ("cannot " + what + ...)
     * @param failure makes the exception thrown for a message and its cause
     * @param work the work
     * @param <T> the result type
     * @return the work's result, once committed
     */
    public static <T> T inTransaction(ConnectionSource connections, String what,
            BiFunction<String, SQLException, ? extends RuntimeException> failure, Work<T> work) {
        Connection connection;
        try {
            connection = connections.acquire();
        } catch (SQLException e) {
            throw failure.apply("cannot " + what + ": no database connection (" + e.getSQLState() + ")", e);
        }
        try {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw failure.apply("cannot " + what + " (SQL state " + e.getSQLState() + ")", e);
        } finally {
            try {
                connections.release(connection);
            } catch (SQLException e) {
                LOG.warn("could not release a connection after: {}", what, e);
            }
        }
    }

    private static void rollbackQuietly(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
