package io.fieldcrypt.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tests of {@link TestPostgres} and {@link TestDatabase} on whichever server this run chose. The {@link SecondClass}
 * nested class is a second test class: it must share the server but nothing else.
 */
@ExtendWith(TestPostgres.class)
class TestPostgresTest {

    private static final String SECRET = "s3cret-pw";

    private static TestDatabase fromBeforeAll;
    private static String outerServer;
    /** Every schema the nested class used; all must be gone once it has ended. */
    private static final List<String> nestedSchemas = new CopyOnWriteArrayList<>();

    private final TestDatabase fromConstructor;
    private TestDatabase fromBeforeEach;

    TestPostgresTest(TestDatabase database) {
        fromConstructor = database;
    }

    @BeforeAll
    static void startFreshAndLeaveAProbe(TestDatabase database) throws SQLException {
        fromBeforeAll = database;
        outerServer = serverIdentity(database);
        assertThat(queryString(
                        database.connect(),
                        "select count(*) from pg_class where relnamespace = current_schema()::regnamespace"))
                .isEqualTo("0");
        execute(database, "create table leak_probe(id int)");
    }

    @BeforeEach
    void recordInjection(TestDatabase database) {
        fromBeforeEach = database;
    }

    @AfterAll
    static void nestedClassSchemasAreDroppedWhenItEnds(TestDatabase database) throws SQLException {
        assertThat(nestedSchemas).hasSize(2);
        for (String schema : nestedSchemas) {
            assertThat(schemaExists(database, schema)).as(schema).isFalse();
        }
        assertThat(schemaExists(database, database.schema())).isTrue();
    }

    @Test
    void answersSelectOne(TestDatabase database) throws SQLException {
        assertThat(queryString(database.connect(), "select 1")).isEqualTo("1");
    }

    @Test
    void constructorLifecycleMethodsAndTestsGetTheSameInstance(TestDatabase database) {
        assertThat(database).isSameAs(fromBeforeAll).isSameAs(fromConstructor).isSameAs(fromBeforeEach);
    }

    @Test
    void schemaIsNamedAfterTheClassOnTheExpectedServer(TestDatabase database) {
        assertThat(database.schema()).matches("testpostgrestest_[0-9a-f]{8}");
        if (System.getenv(TestPostgres.URL_VARIABLE) != null) {
            assertThat(database.serverKind()).isEqualTo("external");
        } else {
            assertThat(database.serverKind()).isIn("testcontainers", "embedded");
        }
    }

    @Test
    void everyWayToConnectLandsInTheClassSchema(TestDatabase database) throws SQLException {
        String currentSchema = "select current_schema()";
        assertThat(queryString(database.dataSource().getConnection(), currentSchema))
                .isEqualTo(database.schema());
        assertThat(queryString(database.connect(), currentSchema)).isEqualTo(database.schema());
        assertThat(queryString(
                        DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password()),
                        currentSchema))
                .isEqualTo(database.schema());

        execute(database, "create table unqualified(id int)");
        assertThat(queryString(
                        database.connect(),
                        "select table_schema from information_schema.tables where table_name = 'unqualified'"))
                .isEqualTo(database.schema());
    }

    @Test
    void newSchemaIsAnIsolatedAreaOnTheSameServer(TestDatabase database) throws SQLException {
        TestDatabase other = database.newSchema("Other Area");

        assertThat(other.schema()).matches("other_area_[0-9a-f]{8}").isNotEqualTo(database.schema());
        assertThat(other.serverKind()).isEqualTo(database.serverKind());
        assertThat(serverIdentity(other)).isEqualTo(outerServer);

        execute(database, "create table isolation_probe(id int)");
        execute(database, "insert into isolation_probe values (1)");
        assertThat(queryString(other.connect(), "select to_regclass('isolation_probe')::text"))
                .isNull();
        execute(other, "create table isolation_probe(id int)");
        assertThat(queryString(other.connect(), "select count(*) from isolation_probe"))
                .isEqualTo("0");
        assertThat(queryString(database.connect(), "select count(*) from isolation_probe"))
                .isEqualTo("1");
    }

    @Test
    void awkwardPrefixesBecomeValidSchemas(TestDatabase database) throws SQLException {
        TestDatabase odd = database.newSchema("pg_Ünïcode-Name that is far too long for a PostgreSQL identifier");

        assertThat(odd.schema())
                .hasSizeLessThanOrEqualTo(63)
                .matches("t_pg__n_code_name_that_is_[a-z0-9_]*_[0-9a-f]{8}");
        assertThat(queryString(odd.connect(), "select current_schema()")).isEqualTo(odd.schema());
        assertThat(TestPostgres.schemaName("")).matches("t__[0-9a-f]{8}");
        assertThat(TestPostgres.schemaName("9lives")).matches("t_9lives_[0-9a-f]{8}");
        assertThat(TestPostgres.schemaName("Same")).isNotEqualTo(TestPostgres.schemaName("Same"));
    }

    @Test
    void currentSchemaIsAppendedWithTheRightSeparator() {
        assertThat(TestDatabase.withCurrentSchema("jdbc:postgresql://h:5432/db", "s"))
                .isEqualTo("jdbc:postgresql://h:5432/db?currentSchema=s");
        assertThat(TestDatabase.withCurrentSchema("jdbc:postgresql://h:5432/db?loggerLevel=OFF", "s"))
                .isEqualTo("jdbc:postgresql://h:5432/db?loggerLevel=OFF&currentSchema=s");
        assertThat(TestDatabase.withCurrentSchema("jdbc:postgresql://h:5432/db?", "s"))
                .isEqualTo("jdbc:postgresql://h:5432/db?currentSchema=s");
    }

    @Test
    void appendedSchemaWinsOverOneAlreadyInTheUrl(TestDatabase database) throws SQLException {
        TestDatabase other = database.newSchema("winner");
        String url = TestDatabase.withCurrentSchema(database.jdbcUrl(), other.schema());

        assertThat(queryString(
                        DriverManager.getConnection(url, database.user(), database.password()),
                        "select current_schema()"))
                .isEqualTo(other.schema());
    }

    @Test
    void toStringShowsKindUrlAndSchemaButNoPassword(TestDatabase database) {
        assertThat(database.toString()).contains(database.serverKind(), database.jdbcUrl(), database.schema());

        TestPostgres.Server server = new TestPostgres.Server(
                "external", "jdbc:postgresql://db.example/app?user=app&password=" + SECRET, "app", SECRET, () -> {});
        TestDatabase withPassword = new TestDatabase(server, null, "app_schema");
        assertThat(withPassword.toString())
                .doesNotContain(SECRET)
                .contains("external", "password=***", "schema=app_schema");
        assertThat(server.toString()).doesNotContain(SECRET);
    }

    /** A second test class (PER_CLASS, so its constructor runs before its {@code @BeforeAll} callbacks). */
    @Nested
    @TestInstance(Lifecycle.PER_CLASS)
    class SecondClass {

        private final TestDatabase own;

        SecondClass(TestDatabase database) {
            own = database;
        }

        @Test
        void sharesTheServerButNotTheSchema(TestDatabase database) throws SQLException {
            assertThat(database).isSameAs(own);
            assertThat(database.schema()).matches("secondclass_[0-9a-f]{8}").isNotEqualTo(fromBeforeAll.schema());
            assertThat(serverIdentity(database)).isEqualTo(outerServer);
            nestedSchemas.add(database.schema());
        }

        @Test
        void seesNothingTheOuterClassCreated(TestDatabase database) throws SQLException {
            assertThat(queryString(database.connect(), "select to_regclass('leak_probe')::text"))
                    .isNull();
            nestedSchemas.add(database.newSchema("extra").schema());
        }

        @Test
        void outerConstructorAndLifecycleMethodsKeepTheOuterDatabase() {
            assertThat(TestPostgresTest.this.fromConstructor).isSameAs(fromBeforeAll);
            assertThat(TestPostgresTest.this.fromBeforeEach).isSameAs(fromBeforeAll);
        }
    }

    /** Port and start time of the postmaster: equal only for the same running server. */
    private static String serverIdentity(TestDatabase database) throws SQLException {
        return queryString(database.connect(), "select inet_server_port() || '@' || pg_postmaster_start_time()");
    }

    private static boolean schemaExists(TestDatabase database, String schema) throws SQLException {
        try (Connection connection = database.connect();
                PreparedStatement statement =
                        connection.prepareStatement("select count(*) from pg_namespace where nspname = ?")) {
            statement.setString(1, schema);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getInt(1) == 1;
            }
        }
    }

    /** Runs {@code sql} on a new connection of {@code database}. */
    private static void execute(TestDatabase database, String sql) throws SQLException {
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The first column of the first row of {@code sql} as text; closes {@code connection}. */
    private static String queryString(Connection connection, String sql) throws SQLException {
        try (connection;
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        }
    }
}
