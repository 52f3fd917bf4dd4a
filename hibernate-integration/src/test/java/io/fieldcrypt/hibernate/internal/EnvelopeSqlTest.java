package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * The SQL of {@code docs/FORMAT.md} ("Reading the data key id in SQL") run by a real PostgreSQL over the
 * known-answer vectors of {@code vectors/stored-values.json}, computed by an independent implementation
 * ({@code vectors/generate_values.py}): every stored value, binary in a {@code bytea} column and text in a
 * {@code text} column, gives the vector's data key id and version, or NULL.
 */
@ExtendWith(TestPostgres.class)
class EnvelopeSqlTest {

    private static final String RESOURCE = "/vectors/stored-values.json";
    private static final HexFormat HEX = HexFormat.of();
    private static final List<Vector> VECTORS = read();

    private static TestDatabase db;

    /**
     * One vector.
     *
     * @param name its description
     * @param text whether it is stored as text ({@code TEXT}) rather than {@code bytea} ({@code BINARY})
     * @param value the stored value: a {@code byte[]} or a {@code String}
     * @param dataKeyId the expected data key id, or {@code null} for SQL NULL
     * @param version the expected version, or {@code null} for SQL NULL
     */
    record Vector(String name, boolean text, Object value, Long dataKeyId, Integer version) {
        /** The column the value is stored in. */
        String column() {
            return text ? "t" : "b";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Vector> vectors() {
        return VECTORS.stream();
    }

    private static List<Vector> read() {
        List<JsonNode> nodes;
        try (InputStream in = EnvelopeSqlTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as(RESOURCE).isNotNull();
            nodes = JsonNode.parser().parse(in).asArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Vector> vectors = new ArrayList<>();
        for (JsonNode node : nodes) {
            String storage = field(node, "storage").asString();
            assertThat(storage).isIn("BINARY", "TEXT");
            boolean text = storage.equals("TEXT");
            String value = field(node, "value").asString();
            JsonNode version = field(node, "version");
            vectors.add(new Vector(
                    field(node, "name").asString(),
                    text,
                    text ? value : HEX.parseHex(value),
                    dataKeyId(field(node, "dataKeyId")),
                    version.isNull() ? null : Integer.valueOf(version.asNumber())));
        }
        return List.copyOf(vectors);
    }

    private static JsonNode field(JsonNode node, String name) {
        return node.field(name).orElseThrow(() -> new IllegalArgumentException("no " + name + " in " + node));
    }

    /** A JSON number, a decimal string (for |id| >= 2^53, beyond what a JSON double holds exactly) or null. */
    private static Long dataKeyId(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        return Long.valueOf(node.isString() ? node.asString() : node.asNumber());
    }

    @BeforeAll
    static void store(TestDatabase database) throws SQLException {
        db = database;
        try (Connection c = db.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("create table stored (id int primary key, name text not null, b bytea, t text)");
            }
            try (PreparedStatement insert =
                    c.prepareStatement("insert into stored (id, name, b, t) values (?, ?, ?, ?)")) {
                for (int i = 0; i < VECTORS.size(); i++) {
                    Vector vector = VECTORS.get(i);
                    insert.setInt(1, i);
                    insert.setString(2, vector.name());
                    insert.setBytes(3, vector.text() ? null : (byte[]) vector.value());
                    insert.setString(4, vector.text() ? (String) vector.value() : null);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void dataKeyIdAndVersion_storedValue_giveVectorOrNull(Vector vector) throws SQLException {
        String column = vector.column();
        String sql = "select " + EnvelopeSql.dataKeyId(column, vector.text()) + ", "
                + EnvelopeSql.version(column, vector.text()) + ", " + column + " is null from stored where id = ?";
        try (Connection c = db.connect();
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setInt(1, VECTORS.indexOf(vector));
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(3)).as("the value was stored").isFalse();
                Long dataKeyId = nullableLong(rs, 1);
                Integer version = nullableInt(rs, 2);

                assertThat(dataKeyId).as("data key id").isEqualTo(vector.dataKeyId());
                assertThat(version).as("version").isEqualTo(vector.version());
            }
        }
    }

    /**
     * As the maintenance jobs use them: in a {@code where} clause over a table of all the vectors, where
     * PostgreSQL evaluates them for every row (short, garbage and NULL values included) and must neither fail nor
     * select a row it should not.
     */
    @Test
    void dataKeyIdAndVersion_filterOverAllRows_selectExactlyTheMatchingVectors() throws SQLException {
        String dataKeyIdIs =
                "(" + EnvelopeSql.dataKeyId("b", false) + " = ? or " + EnvelopeSql.dataKeyId("t", true) + " = ?)";
        String versionIs =
                "(" + EnvelopeSql.version("b", false) + " = ? or " + EnvelopeSql.version("t", true) + " = ?)";
        String neither = EnvelopeSql.dataKeyId("b", false) + " is null and " + EnvelopeSql.dataKeyId("t", true)
                + " is null and " + EnvelopeSql.version("b", false) + " is null and "
                + EnvelopeSql.version("t", true) + " is null";
        SoftAssertions softly = new SoftAssertions();
        try (Connection c = db.connect()) {
            for (Long id : VECTORS.stream()
                    .map(Vector::dataKeyId)
                    .filter(Objects::nonNull)
                    .distinct()
                    .toList()) {
                softly.assertThat(names(c, "select name from stored where " + dataKeyIdIs, id))
                        .as("data key id = %d", id)
                        .containsExactlyInAnyOrderElementsOf(VECTORS.stream()
                                .filter(v -> id.equals(v.dataKeyId()))
                                .map(Vector::name)
                                .toList());
            }
            for (Integer version : List.of(1, 2)) {
                softly.assertThat(names(c, "select name from stored where " + versionIs, (long) version))
                        .as("version = %d", version)
                        .containsExactlyInAnyOrderElementsOf(VECTORS.stream()
                                .filter(v -> version.equals(v.version()))
                                .map(Vector::name)
                                .toList());
            }
            softly.assertThat(names(c, "select name from stored where " + neither, null))
                    .as("no data key id and no version")
                    .containsExactlyInAnyOrderElementsOf(VECTORS.stream()
                            .filter(v -> v.dataKeyId() == null && v.version() == null)
                            .map(Vector::name)
                            .toList());
        }
        softly.assertAll();
    }

    private static List<String> names(Connection c, String sql, Long parameter) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            if (parameter != null) {
                st.setLong(1, parameter);
                st.setLong(2, parameter);
            }
            List<String> names = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }
}
