package io.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.WrappedDataKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * The known-answer vectors of the scope key wrap ({@code docs/FORMAT.md}, "Data keys"; {@code
 * vectors/scope-key-wrap.json}), computed by an independent Python implementation.
 */
class ScopeKeyWrapVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    record Vector(String name, byte[] scopeKey, long scopeKeyId, String scope, byte[] dataKey, byte[] wrapped) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Vector> vectors() {
        try (InputStream in = ScopeKeyWrapVectorsTest.class.getResourceAsStream("/vectors/scope-key-wrap.json")) {
            return JsonNode.parser().parse(in).asArray().stream()
                    .map(node -> new Vector(
                            text(node, "name"),
                            HEX.parseHex(text(node, "scopeKey")),
                            Long.parseLong(
                                    node.field("scopeKeyId").orElseThrow().asNumber()),
                            text(node, "scope"),
                            HEX.parseHex(text(node, "dataKey")),
                            HEX.parseHex(text(node, "wrapped"))))
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode node, String field) {
        return node.field(field).orElseThrow().asString();
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void unwrap_knownAnswer_givesTheDataKey(Vector vector) {
        DataKeyMaterial unwrapped = ScopeKeys.unwrap(
                vector.scopeKeyId(),
                DataKeyMaterial.copyOf(vector.scopeKey()),
                vector.scope(),
                WrappedDataKey.underScopeKey(vector.scopeKeyId(), vector.wrapped()),
                "data key 1");

        assertThat(unwrapped.getEncoded()).isEqualTo(vector.dataKey());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void unwrap_knownAnswerUnderAnotherScopeOrScopeKeyId_failsAuthentication(Vector vector) {
        DataKeyMaterial scopeKey = DataKeyMaterial.copyOf(vector.scopeKey());
        WrappedDataKey wrapped = WrappedDataKey.underScopeKey(vector.scopeKeyId(), vector.wrapped());

        assertThatThrownBy(() -> ScopeKeys.unwrap(vector.scopeKeyId(), scopeKey, vector.scope() + "x", wrapped, "k"))
                .isInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> ScopeKeys.unwrap(vector.scopeKeyId() + 1, scopeKey, vector.scope(), wrapped, "k"))
                .isInstanceOf(DecryptionException.class);
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void wrap_thenUnwrap_roundTripsAndHasTheDocumentedLayout(Vector vector) {
        DataKeyMaterial scopeKey = DataKeyMaterial.copyOf(vector.scopeKey());
        WrappedDataKey wrapped =
                ScopeKeys.wrap(vector.scopeKeyId(), scopeKey, vector.scope(), DataKeyMaterial.copyOf(vector.dataKey()));

        assertThat(wrapped.masterKeyId()).isEqualTo("fieldcrypt:key:" + vector.scopeKeyId());
        assertThat(wrapped.encryptedKey()).hasSize(61).startsWith(1);
        assertThat(ScopeKeys.unwrap(vector.scopeKeyId(), scopeKey, vector.scope(), wrapped, "k")
                        .getEncoded())
                .isEqualTo(vector.dataKey());
    }
}
