package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * The canonical id of {@code docs/FORMAT.md} ("Canonical id"), as known-answer vectors
 * ({@code vectors/canonical-ids.json}) computed by an independent implementation ({@code vectors/generate_values.py}):
 * {@link CanonicalId#text} must give exactly that text, which is bound into every value's associated data.
 */
class CanonicalIdVectorsTest {

    private static final String RESOURCE = "/vectors/canonical-ids.json";

    /**
     * One vector.
     *
     * @param composite whether its kind is {@code composite}
     * @param parts the parts, parsed as Java does
     * @param canonical the expected canonical text
     * @param label the parts as written in the file, for the test name
     */
    record Vector(boolean composite, List<Object> parts, String canonical, String label) {
        @Override
        public String toString() {
            return (composite ? "composite " : "single ")
                    + label.chars()
                            .mapToObj(c -> c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : Character.toString(c))
                            .collect(Collectors.joining());
        }
    }

    static Stream<Vector> vectors() {
        return Vectors.read(RESOURCE).stream().map(node -> {
            String kind = Vectors.text(node, "kind");
            assertThat(kind).isIn("single", "composite");
            List<JsonNode> parts = node.field("parts").orElseThrow().asArray();
            return new Vector(
                    kind.equals("composite"),
                    parts.stream()
                            .map(part -> parse(Vectors.text(part, "type"), Vectors.text(part, "value")))
                            .toList(),
                    Vectors.text(node, "canonical"),
                    parts.stream()
                            .map(part -> Vectors.text(part, "type") + " " + Vectors.text(part, "value"))
                            .collect(Collectors.joining(", ", "[", "]")));
        });
    }

    /** Parses a part with the JDK, as the id's Java type. */
    private static Object parse(String type, String value) {
        return switch (type) {
            case "Long" -> Long.valueOf(value);
            case "Integer" -> Integer.valueOf(value);
            case "Short" -> Short.valueOf(value);
            case "String" -> value;
            case "UUID" -> UUID.fromString(value);
            default -> throw new IllegalArgumentException("unknown part type " + type);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void text_knownAnswer_givesCanonicalText(Vector vector) {
        if (!vector.composite()) {
            assertThat(vector.parts()).as("a single id has one part").hasSize(1);
        }

        assertThat(CanonicalId.text(vector.parts(), vector.composite())).isEqualTo(vector.canonical());
    }
}
