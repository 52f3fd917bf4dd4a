package io.fieldcrypt.spi;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.BiFunction;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Where the data key table gets its connections: a {@link DataSource}, or the connection provider of an ORM.
 * Each connection is used for one short transaction of fieldcrypt's own and then released.
 */
public interface ConnectionSource {

    /**
     * @return an open connection; fieldcrypt sets and restores its auto-commit mode
     * @throws SQLException if none can be had
     */
    Connection acquire() throws SQLException;

    /**
     * Gives a connection back.
     *
     * @param connection a connection from {@link #acquire()}
     * @throws SQLException if releasing fails
     */
    void release(Connection connection) throws SQLException;

    /** Work on one connection, inside a transaction. */
    @FunctionalInterface
    interface Work<T> {
        /**
         * @param connection the connection, in a transaction; do not commit or roll back
         * @return the result
         * @throws SQLException if a statement fails; the transaction is rolled back
         */
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in a transaction of its own on a connection of its own: auto-commit off, commit at the end,
     * rollback on failure, the connection's auto-commit mode restored and the connection released.
     *
     * @param what what the work does, to start error messages with ({@code "cannot " + what + ...})
     * @param failure makes the exception thrown for a message and the {@link SQLException} behind it
     * @param work the work
     * @param <T> the result type
     * @return the work's result, once committed
     * @throws RuntimeException what {@code failure} makes if no connection can be had or a statement fails (the
     *     transaction is then rolled back); a runtime exception of {@code work} itself, after the rollback
     */
    default <T> T inTransaction(
            String what, BiFunction<String, SQLException, ? extends RuntimeException> failure, Work<T> work) {
        Connection connection;
        try {
            connection = acquire();
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
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw failure.apply("cannot " + what + " (SQL state " + e.getSQLState() + ")", e);
        } finally {
            try {
                release(connection);
            } catch (SQLException e) {
                LoggerFactory.getLogger(ConnectionSource.class)
                        .warn("could not release a connection after: {}", what, e);
            }
        }
    }

    /**
     * @param dataSource the data source to draw from
     * @return a source whose connections are closed on release
     */
    static ConnectionSource of(DataSource dataSource) {
        return new ConnectionSource() {
            @Override
            public Connection acquire() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void release(Connection connection) throws SQLException {
                connection.close();
            }
        };
    }
}
