package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.EnvelopeFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The read expression's SQL and the parsing of what it gives; PostgreSQL's side is proven by the read-path tests. */
class RowBoundReadTest {

    @Test
    void expression_qualifiesKeysAndLeavesTheOwnColumnBareAtTheEnd() {
        assertThat(RowBoundRead.expression("ssn", List.of("id"), false, false, "P.ssn"))
                .isEqualTo("INT4SEND(OCTET_LENGTH(CONVERT_TO(CAST({@}.ID AS TEXT),'UTF8')))"
                        + "||CONVERT_TO(CAST({@}.ID AS TEXT),'UTF8')||ssn");
        assertThat(RowBoundRead.expression("note", List.of("clinic", "\"No\""), true, false, "P.note"))
                .isEqualTo("CHAR_LENGTH(CAST({@}.CLINIC AS TEXT))||':'||CAST({@}.CLINIC AS TEXT)||"
                        + "CHAR_LENGTH(CAST({@}.\"No\" AS TEXT))||':'||CAST({@}.\"No\" AS TEXT)||note");
    }

    @Test
    void expression_columnNamedLikeAnSqlWord_usesAnotherLetterCase() {
        String upper = RowBoundRead.expression("TEXT", List.of("id"), false, false, "P.text");
        String capital = RowBoundRead.expression("Cast", List.of("id"), true, false, "P.cast");

        assertThat(RowBoundRead.expression("text", List.of("id"), false, false, "P.text"))
                .startsWith("INT4SEND(")
                .endsWith("||text");
        assertThat(upper).startsWith("int4send(").endsWith("||TEXT");
        assertThat(upper.indexOf("TEXT")).isEqualTo(upper.length() - 4);
        assertThat(capital).startsWith("CHAR_LENGTH(").endsWith("||Cast");
    }

    @Test
    void expression_columnNameInsideAQuotedKey_isRefusedNamingAFix() {
        assertThatThrownBy(() -> RowBoundRead.expression("code", List.of("\"codeId\""), false, false, "P.code"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("@Encrypted on P.code: fieldcrypt reads column code together with its row's"
                        + " key (\"codeId\")")
                .hasMessageEndingWith("Rename the column, e.g. @Column(name = \"code_enc\")");
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
    void parseText_countsCodePoints() {
        RowBoundRead.Read parsed = RowBoundRead.parse("3:a😀b2:42fc1:AAAA", 2, true);

        assertThat(parsed.idParts()).containsExactly("a😀b", "42");
        assertThat(parsed.stored()).isEqualTo("fc1:AAAA");
    }

    @Test
    void bareEnvelopes_areRecognisedAsReadWithoutTheirKey() {
        assertThat(RowBoundRead.parse(new byte[] {(byte) 0xFC, 2}, 1, false)).isNull();
        assertThat(RowBoundRead.parse("fc1:AAAA", 1, true)).isNull();
    }

    @Test
    void truncatedOrForeignValues_areFormatErrors() {
        byte[] tooLong =
                ByteBuffer.allocate(6).putInt(99).put((byte) 1).put((byte) 2).array();

        assertThatThrownBy(() -> RowBoundRead.parse(tooLong, 1, false)).isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(new byte[] {0, 0}, 1, false))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(binary(List.of("1"), new byte[0]), 2, false))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse("9:ab", 1, true)).isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse("x:ab", 1, true)).isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse("plain text", 1, true))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessageNotContaining("plain text");
    }

    private static byte[] binary(List<String> parts, byte[] envelope) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String part : parts) {
            byte[] utf8 = part.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(utf8.length).array());
            out.writeBytes(utf8);
        }
        out.writeBytes(envelope);
        return out.toByteArray();
    }
}
