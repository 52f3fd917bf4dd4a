package io.fieldcrypt.hibernate.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/** Reads the known-answer vector files of {@code src/test/resources/vectors/} (see docs/FORMAT.md). */
final class Vectors {

    private Vectors() {}

    /**
     * @param resource a vector file, e.g. {@code /vectors/canonical-ids.json}
     * @return its top-level array
     */
    static List<JsonNode> read(String resource) {
        try (InputStream in = Vectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("vector file " + resource + " is missing");
            }
            return JsonNode.parser().parse(in).asArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the string member {@code field} of {@code node} */
    static String text(JsonNode node, String field) {
        return node.field(field)
                .orElseThrow(() -> new IllegalArgumentException("no " + field + " in " + node))
                .asString();
    }
}
