package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.EnvelopeFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The read expression's SQL and the parsing of what it gives; PostgreSQL's side is proven by the read-path tests. */
class RowBoundReadTest {

    private static final String TOKEN = RowBoundRead.TOKEN;

    @Test
    void token_isThirtyTwoRandomDigits() {
        assertThat(TOKEN).hasSize(32).containsOnlyDigits();
    }

    @Test
    void expression_qualifiesKeysAndLeavesTheOwnColumnBareAtTheEnd() {
        assertThat(RowBoundRead.expression("ssn", List.of("id"), false, false, "P.ssn"))
                .isEqualTo("CAST('" + TOKEN + "' AS BYTEA)"
                        + "||INT4SEND(OCTET_LENGTH(CONVERT_TO(CAST({@}.ID AS TEXT),'UTF8')))"
                        + "||CONVERT_TO(CAST({@}.ID AS TEXT),'UTF8')||ssn");
        assertThat(RowBoundRead.expression("note", List.of("clinic", "\"No\""), true, false, "P.note"))
                .isEqualTo("'" + TOKEN + "'"
                        + "||':'||ENCODE(CONVERT_TO(CAST({@}.CLINIC AS TEXT),'UTF8'),'HEX')"
                        + "||':'||ENCODE(CONVERT_TO(CAST({@}.\"No\" AS TEXT),'UTF8'),'HEX')||':'||note");
    }

    @Test
    void expression_insideAnEmbeddable_qualifiesTheColumnToo() {
        assertThat(RowBoundRead.expression("street", List.of("id"), false, true, "P.street"))
                .startsWith("CAST('" + TOKEN + "' AS BYTEA)")
                .endsWith("||{@}.street");
    }

    @Test
    void expression_columnNamedLikeAnSqlWord_usesAnotherLetterCase() {
        String upper = RowBoundRead.expression("TEXT", List.of("id"), false, false, "P.text");

        assertThat(RowBoundRead.expression("text", List.of("id"), false, false, "P.text"))
                .startsWith("CAST(")
                .endsWith("||text");
        assertThat(upper).startsWith("cast(").endsWith("||TEXT");
        assertThat(upper.indexOf("TEXT")).isEqualTo(upper.length() - 4);
    }

    @Test
    void expression_nonAsciiKeyColumn_keepsItsCase() {
        assertThat(RowBoundRead.expression("secret", List.of("straße"), false, false, "P.secret"))
                .contains("{@}.straße ");
    }

    @Test
    void expression_columnNameInsideAQuotedKey_isRefusedNamingAFix() {
        assertThatThrownBy(() -> RowBoundRead.expression("code", List.of("\"codeId\""), false, false, "P.code"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("@Encrypted on P.code: fieldcrypt reads column code together with its row's"
                        + " key (\"codeId\")")
                .hasMessageEndingWith("Rename the column, e.g. @Column(name = \"code_enc\")")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void parseBinary_splitsKeyPartsFromTheEnvelope() {
        byte[] envelope = {(byte) 0xFC, 2, 1, 9};
        byte[] read = binary(List.of("clinic-ä", "1024"), envelope);

        RowBoundRead.Read parsed = RowBoundRead.parse(read, 2, false);

        assertThat(parsed.idParts()).containsExactly("clinic-ä", "1024");
        assertThat((byte[]) parsed.stored()).containsExactly(envelope);
    }

    @Test
    void parseText_decodesHexKeys() {
        String read = TOKEN + ":" + hex("a😀b") + ":" + hex("42") + ":fc1:AAAA";

        RowBoundRead.Read parsed = RowBoundRead.parse(read, 2, true);

        assertThat(parsed.idParts()).containsExactly("a😀b", "42");
        assertThat(parsed.stored()).isEqualTo("fc1:AAAA");
    }

    /** Native SQL reads the bare column: whatever it holds, without the token it is not a read with a row key. */
    @Test
    void valuesWithoutTheToken_areReadWithoutTheirKey() {
        byte[] forgedPrefix = binary(List.of("42"), new byte[] {(byte) 0xFC, 2});
        byte[] withoutToken = Arrays.copyOfRange(forgedPrefix, TOKEN.length(), forgedPrefix.length);

        assertThat(RowBoundRead.parse(new byte[] {(byte) 0xFC, 2}, 1, false)).isNull();
        assertThat(RowBoundRead.parse(withoutToken, 1, false)).isNull();
        assertThat(RowBoundRead.parse("fc1:AAAA", 1, true)).isNull();
        assertThat(RowBoundRead.parse(":" + hex("42") + ":fc1:AAAA", 1, true)).isNull();
    }

    @Test
    void truncatedOrForeignValuesAfterTheToken_areFormatErrors() {
        byte[] tooLong = ByteBuffer.allocate(TOKEN.length() + 6)
                .put(TOKEN.getBytes(StandardCharsets.US_ASCII))
                .putInt(99)
                .put((byte) 1)
                .put((byte) 2)
                .array();

        assertThatThrownBy(() -> RowBoundRead.parse(tooLong, 1, false)).isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(binary(List.of("1"), new byte[0]), 2, false))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(TOKEN + ":zz:fc1:A", 1, true))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(TOKEN + ":" + hex("1"), 1, true))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(TOKEN + "plain text", 1, true))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessageNotContaining("plain text");
    }

    @Test
    void rowIdsInMessages_haveControlCharactersEscapedAndAreCut() {
        assertThat(EntityCrypto.printable("a\nb\u0000")).isEqualTo("a\\u000ab\\u0000");
        assertThat(EntityCrypto.printable("x".repeat(150))).isEqualTo("x".repeat(100) + "...");
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] binary(List<String> parts, byte[] envelope) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TOKEN.getBytes(StandardCharsets.US_ASCII));
        for (String part : parts) {
            byte[] utf8 = part.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(utf8.length).array());
            out.writeBytes(utf8);
        }
        out.writeBytes(envelope);
        return out.toByteArray();
    }
}
