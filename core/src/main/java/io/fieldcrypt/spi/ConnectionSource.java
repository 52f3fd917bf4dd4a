package io.fieldcrypt.spi;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

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
