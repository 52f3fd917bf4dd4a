package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.EnvelopeFormatException;
import io.fieldcrypt.hibernate.internal.RowBoundRead.Key;
import io.fieldcrypt.hibernate.internal.RowBoundRead.KeyKind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The read expression's SQL and the parsing of what it gives; PostgreSQL's side is proven by the read-path tests. */
class RowBoundReadTest {

    private static final String TOKEN = RowBoundRead.TOKEN;
    private static final String LEGACY_TOKEN = RowBoundRead.LEGACY_TOKEN;
    private static final List<KeyKind> INTEGER = List.of(KeyKind.INTEGER);
    private static final List<KeyKind> KINDS = List.of(KeyKind.STRING, KeyKind.INTEGER, KeyKind.UUID);

    @Test
    void token_isThirtyTwoRandomDigits() {
        assertThat(TOKEN).hasSize(16).containsOnlyDigits();
    }

    private static final List<Key> ID = List.of(new Key("id", KeyKind.INTEGER));

    @Test
    void expression_qualifiesKeysAndLeavesTheOwnColumnBareAtTheEnd() {
        List<Key> composite = List.of(
                new Key("clinic", KeyKind.STRING), new Key("\"No\"", KeyKind.INTEGER), new Key("ref", KeyKind.UUID));

        assertThat(RowBoundRead.expression("ssn", ID, false, false, null, "P.ssn"))
                .isEqualTo("CAST('" + TOKEN + "' AS BYTEA)||INT8SEND(CAST({@}.ID AS BIGINT))||ssn");
        assertThat(RowBoundRead.expression("ssn", composite, false, false, null, "P.ssn"))
                .isEqualTo("CAST('" + TOKEN + "' AS BYTEA)"
                        + "||INT4SEND(OCTET_LENGTH(CONVERT_TO(CAST({@}.CLINIC AS TEXT),'UTF8')))"
                        + "||CONVERT_TO(CAST({@}.CLINIC AS TEXT),'UTF8')"
                        + "||INT8SEND(CAST({@}.\"No\" AS BIGINT))||UUID_SEND(CAST({@}.REF AS UUID))||ssn");
        assertThat(RowBoundRead.expression("note", composite, true, false, null, "P.note"))
                .isEqualTo("'" + TOKEN + "'"
                        + "||':'||ENCODE(CONVERT_TO(CAST({@}.CLINIC AS TEXT),'UTF8'),'HEX')"
                        + "||':'||CAST({@}.\"No\" AS TEXT)||':'||CAST(CAST({@}.REF AS UUID) AS TEXT)||':'||note");
    }

    @Test
    void expression_migratingFromALegacyColumn_readsItBehindItsOwnTokenWhileTheColumnIsNull() {
        LegacyColumn birthDate = new LegacyColumn("birth_date", java.time.LocalDate.class);

        assertThat(RowBoundRead.expression("birth_date_enc", ID, false, false, birthDate, "P.birthDate"))
                .isEqualTo("COALESCE(CAST('" + TOKEN + "' AS BYTEA)||INT8SEND(CAST({@}.ID AS BIGINT))||birth_date_enc,"
                        + "CAST('" + LEGACY_TOKEN + "' AS BYTEA)||INT8SEND(CAST({@}.ID AS BIGINT))"
                        + "||CONVERT_TO(CAST(EXTRACT(EPOCH FROM {@}.BIRTH_DATE) AS TEXT),'UTF8'))");
        assertThat(RowBoundRead.expression(
                        "note", ID, true, false, new LegacyColumn("\"Note\"", String.class), "P.note"))
                .isEqualTo("COALESCE('" + TOKEN + "'||':'||CAST({@}.ID AS TEXT)||':'||note," + "'" + LEGACY_TOKEN
                        + "'||':'||CAST({@}.ID AS TEXT)||':'||CAST({@}.\"Note\" AS TEXT))");
    }

    @Test
    void expression_legacyColumnContainingTheColumnName_isRefusedNamingAFix() {
        assertThatThrownBy(() -> RowBoundRead.expression(
                        "ssn", ID, false, false, new LegacyColumn("\"ssn_plain\"", String.class), "P.ssn"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageEndingWith("Rename the column, e.g. @Column(name = \"ssn_enc\")")
                .hasMessageNotContaining(TOKEN)
                .hasMessageNotContaining(LEGACY_TOKEN);
    }

    @Test
    void parse_legacyValues_areToldApartByTheirTokenAlone() {
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        binary.writeBytes(LEGACY_TOKEN.getBytes(StandardCharsets.US_ASCII));
        binary.writeBytes(ByteBuffer.allocate(8).putLong(7).array());
        binary.writeBytes("1577923200".getBytes(StandardCharsets.UTF_8));

        RowBoundRead.Read fromBinary = RowBoundRead.parse(binary.toByteArray(), INTEGER, false);
        RowBoundRead.Read fromText = RowBoundRead.parse(LEGACY_TOKEN + ":7:fc1:not an envelope", INTEGER, true);
        RowBoundRead.Read envelope = RowBoundRead.parse(TOKEN + ":7:fc1:AAAA", INTEGER, true);

        assertThat(fromBinary).isEqualTo(new RowBoundRead.Read(List.of(7L), "1577923200", true));
        assertThat(fromText).isEqualTo(new RowBoundRead.Read(List.of(7L), "fc1:not an envelope", true));
        assertThat(envelope.legacy()).isFalse();
        assertThat(RowBoundRead.isKeyed(LEGACY_TOKEN + ":7:x")).isTrue();
        assertThat(LEGACY_TOKEN).isNotEqualTo(TOKEN).hasSize(TOKEN.length());
    }

    @Test
    void expression_insideAnEmbeddable_qualifiesTheColumnToo() {
        assertThat(RowBoundRead.expression("street", ID, false, true, null, "P.street"))
                .startsWith("CAST('" + TOKEN + "' AS BYTEA)")
                .endsWith("||{@}.street");
    }

    @Test
    void expression_columnNamedLikeAnSqlWord_usesAnotherLetterCase() {
        String upper = RowBoundRead.expression("TEXT", ID, true, false, null, "P.text");

        assertThat(RowBoundRead.expression("text", ID, true, false, null, "P.text"))
                .contains("CAST({@}.ID AS TEXT)")
                .endsWith("||text");
        assertThat(upper).contains("cast({@}.id as text)").endsWith("||TEXT");
        assertThat(upper.indexOf("TEXT")).isEqualTo(upper.length() - 4);
    }

    @Test
    void expression_nonAsciiKeyColumn_keepsItsCase() {
        assertThat(RowBoundRead.expression(
                        "secret", List.of(new Key("straße", KeyKind.INTEGER)), false, false, null, "P.secret"))
                .contains("{@}.straße AS");
    }

    @Test
    void expression_columnNameInsideAQuotedKey_isRefusedNamingAFix() {
        assertThatThrownBy(() -> RowBoundRead.expression(
                        "code", List.of(new Key("\"codeId\"", KeyKind.STRING)), false, false, null, "P.code"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("@Encrypted on P.code: fieldcrypt reads column code together with its row's"
                        + " key (\"codeId\")")
                .hasMessageEndingWith("Rename the column, e.g. @Column(name = \"code_enc\")")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void parseBinary_turnsEachKeyBackIntoPostgresText() {
        byte[] envelope = {(byte) 0xFC, 2, 1, 9};
        UUID ref = UUID.fromString("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        ByteArrayOutputStream read = tokenBytes();
        read.writeBytes(ByteBuffer.allocate(4).putInt(9).array());
        read.writeBytes("clinic-ä".getBytes(StandardCharsets.UTF_8));
        read.writeBytes(ByteBuffer.allocate(8).putLong(-1024).array());
        read.writeBytes(ByteBuffer.allocate(16)
                .putLong(ref.getMostSignificantBits())
                .putLong(ref.getLeastSignificantBits())
                .array());
        read.writeBytes(envelope);

        RowBoundRead.Read parsed = RowBoundRead.parse(read.toByteArray(), KINDS, false);

        assertThat(parsed.idParts()).containsExactly("clinic-ä", -1024L, ref);
        assertThat((byte[]) parsed.stored()).containsExactly(envelope);
    }

    @Test
    void parseText_decodesHexStringsAndKeepsOtherTexts() {
        String read = TOKEN + ":" + hex("a😀b") + ":42:3f2504e0-4f89-11d3-9a0c-0305e82c3301:fc1:AAAA";

        RowBoundRead.Read parsed = RowBoundRead.parse(read, KINDS, true);

        assertThat(parsed.idParts())
                .containsExactly("a😀b", 42L, UUID.fromString("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
        assertThat(parsed.stored()).isEqualTo("fc1:AAAA");
    }

    /** Native SQL reads the bare column: whatever it holds, without the token it is not a read with a row key. */
    @Test
    void valuesWithoutTheToken_areReadWithoutTheirKey() {
        byte[] forgedPrefix = ByteBuffer.allocate(10)
                .putLong(42)
                .put((byte) 0xFC)
                .put((byte) 2)
                .array();

        assertThat(RowBoundRead.parse(new byte[] {(byte) 0xFC, 2}, INTEGER, false))
                .isNull();
        assertThat(RowBoundRead.parse(forgedPrefix, INTEGER, false)).isNull();
        assertThat(RowBoundRead.parse("fc1:AAAA", INTEGER, true)).isNull();
        assertThat(RowBoundRead.parse(":42:fc1:AAAA", INTEGER, true)).isNull();
    }

    @Test
    void truncatedOrForeignValuesAfterTheToken_areFormatErrors() {
        ByteArrayOutputStream tooLong = tokenBytes();
        tooLong.writeBytes(
                ByteBuffer.allocate(6).putInt(99).put((byte) 1).put((byte) 2).array());
        ByteArrayOutputStream shortInteger = tokenBytes();
        shortInteger.writeBytes(new byte[] {0, 0, 0, 1});

        assertThatThrownBy(() -> RowBoundRead.parse(tooLong.toByteArray(), List.of(KeyKind.STRING), false))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(shortInteger.toByteArray(), INTEGER, false))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(TOKEN + ":zz:fc1:A", List.of(KeyKind.STRING), true))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(TOKEN + ":42", INTEGER, true))
                .isInstanceOf(EnvelopeFormatException.class);
        assertThatThrownBy(() -> RowBoundRead.parse(TOKEN + "plain text", INTEGER, true))
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

    private static ByteArrayOutputStream tokenBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TOKEN.getBytes(StandardCharsets.US_ASCII));
        return out;
    }
}
