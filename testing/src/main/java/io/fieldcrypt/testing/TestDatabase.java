package io.fieldcrypt.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A schema of its own on the shared test PostgreSQL server, as handed to a test by {@link TestPostgres}.
 *
 * <p>Every connection made from {@link #jdbcUrl()}, {@link #dataSource()} or {@link #connect()} has
 * {@code search_path} set to {@link #schema()} (pgjdbc's {@code currentSchema} parameter), so unqualified
 * tables are created in, and looked up from, this schema only. The schema is dropped ({@code cascade}) after
 * the test class that owns it has finished.
 *
 * <p>Instances are immutable and thread-safe; they are created only by {@link TestPostgres}.
 */
public final class TestDatabase {

    private final TestPostgres.Server server;
    private final TestPostgres.ClassSchemas owner;
    private final String schema;
    private final String jdbcUrl;

    TestDatabase(TestPostgres.Server server, TestPostgres.ClassSchemas owner, String schema) {
        this.server = server;
        this.owner = owner;
        this.schema = schema;
        this.jdbcUrl = withCurrentSchema(server.url(), schema);
    }

    /** The JDBC URL of the server with {@code currentSchema=<schema>} appended. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user to connect as. */
    public String user() {
        return server.user();
    }

    /** The password to connect with; empty for the embedded server and a trust-auth external one. */
    public String password() {
        return server.password();
    }

    /** The name of this schema: lower case, a plain SQL identifier that needs no quoting. */
    public String schema() {
        return schema;
    }

    /** Where the server comes from: {@code "external"}, {@code "testcontainers"} or {@code "embedded"}. */
    public String serverKind() {
        return server.kind();
    }

    /** A new, unpooled {@link PGSimpleDataSource} on {@link #jdbcUrl()}; each call returns a new one. */
    public DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        dataSource.setUser(user());
        dataSource.setPassword(password());
        return dataSource;
    }

    /** Opens a new connection in this schema; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user(), password());
    }

    /**
     * Creates another fresh schema on the same server, for tests that need two isolated areas. It is dropped
     * together with this one when the owning test class ends.
     *
     * @param prefix the start of the schema's name; it is lower-cased and made a safe identifier
     */
    public TestDatabase newSchema(String prefix) {
        return owner.create(prefix);
    }

    /** Shows the server kind, the URL (any {@code password} parameter masked) and the schema; never a password. */
    @Override
    public String toString() {
        return "TestDatabase[" + serverKind() + ", " + TestPostgres.redact(jdbcUrl) + ", schema=" + schema + "]";
    }

    /** Appends {@code currentSchema=<schema>} to {@code url} with {@code ?} or {@code &}, as the URL needs. */
    static String withCurrentSchema(String url, String schema) {
        String separator;
        if (url.indexOf('?') < 0) {
            separator = "?";
        } else if (url.endsWith("?") || url.endsWith("&")) {
            separator = "";
        } else {
            separator = "&";
        }
        return url + separator + "currentSchema=" + schema;
    }
}
