package io.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.DataKeyMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * The known-answer vectors of {@code docs/FORMAT.md} ({@code vectors/envelope-v1.json}), computed by an independent
 * implementation ({@code vectors/generate_v1.py}), opened by ours.
 */
class EnvelopeVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    record Vector(
            String name,
            byte[] key,
            long dataKeyId,
            FieldContext context,
            byte[] plaintext,
            byte[] nonce,
            byte[] envelope,
            String text,
            int version) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Version 1 and version 2 vectors; version 1 ones have no table (their associated data has none). */
    static Stream<Vector> vectors() {
        return Stream.concat(read("/vectors/envelope-v1.json"), read("/vectors/envelope-v2.json"));
    }

    private static List<JsonNode> json(String resource) {
        try (InputStream in = EnvelopeVectorsTest.class.getResourceAsStream(resource)) {
            return JsonNode.parser().parse(in).asArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<Vector> read(String resource) {
        return json(resource).stream()
                .map(node -> new Vector(
                        text(node, "name"),
                        HEX.parseHex(text(node, "key")),
                        Long.parseLong(node.field("dataKeyId").orElseThrow().asNumber()),
                        FieldContext.of(
                                text(node, "entity"),
                                node.field("table").map(JsonNode::asString).orElse("no table in version 1"),
                                text(node, "column"),
                                text(node, "id")),
                        HEX.parseHex(text(node, "plaintext")),
                        HEX.parseHex(text(node, "nonce")),
                        HEX.parseHex(text(node, "envelope")),
                        text(node, "text"),
                        Integer.parseInt(
                                node.field("version").map(JsonNode::asNumber).orElse("1"))));
    }

    private static String text(JsonNode node, String field) {
        return node.field(field).orElseThrow().asString();
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void open_knownAnswer_givesPlaintext(Vector vector) throws Exception {
        Envelope envelope = Envelope.parse(vector.envelope());

        assertThat(envelope.dataKeyId()).isEqualTo(vector.dataKeyId());
        assertThat(AesGcm.open(envelope, DataKeyMaterial.copyOf(vector.key()), vector.context()))
                .isEqualTo(vector.plaintext());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void textForm_knownAnswer_matchesBinary(Vector vector) {
        assertThat(Envelope.parse(vector.envelope()).toText()).isEqualTo(vector.text());
        assertThat(Envelope.parseText(vector.text()).toBytes()).isEqualTo(vector.envelope());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void layout_knownAnswer_nonceAtOffset11(Vector vector) {
        byte[] nonce = new byte[Envelope.NONCE_BYTES];
        System.arraycopy(vector.envelope(), Envelope.NONCE_OFFSET, nonce, 0, nonce.length);

        assertThat(nonce).isEqualTo(vector.nonce());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void open_knownAnswerWithOtherRowId_failsAuthentication(Vector vector) {
        FieldContext otherRow = FieldContext.of(
                vector.context().entity(),
                vector.context().table(),
                vector.context().column(),
                vector.context().id() + "0");

        assertThatThrownBy(() ->
                        AesGcm.open(Envelope.parse(vector.envelope()), DataKeyMaterial.copyOf(vector.key()), otherRow))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("decryption failed: authentication tag mismatch");
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void version_knownAnswer_matchesHeader(Vector vector) {
        assertThat(Envelope.parse(vector.envelope()).version().wireValue()).isEqualTo((byte) vector.version());
    }

    /** The same plaintext, key, nonce, entity, column and id in two tables of a JOINED hierarchy. */
    @Test
    void open_envelopeOfAnotherTable_failsAuthentication() {
        Map<String, Vector> byName = read("/vectors/envelope-v2.json").collect(Collectors.toMap(Vector::name, v -> v));
        List<JsonNode> cases = json("/vectors/envelope-v2-cross.json");
        assertThat(cases).isNotEmpty();
        for (JsonNode pair : cases) {
            Vector sealed = byName.get(text(pair, "envelopeOf"));
            Vector reader = byName.get(text(pair, "contextOf"));
            assertThat(sealed.context().table()).isNotEqualTo(reader.context().table());
            assertThat(sealed.context().column()).isEqualTo(reader.context().column());
            assertThatThrownBy(() -> AesGcm.open(
                            Envelope.parse(sealed.envelope()), DataKeyMaterial.copyOf(sealed.key()), reader.context()))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("decryption failed: authentication tag mismatch");
        }
    }
}
