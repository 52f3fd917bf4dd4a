package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.EnvelopeFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * How Hibernate reads an encrypted column: not the bare column, but an SQL expression that puts the row's key
 * columns in front of the stored envelope, so that the attribute's converter receives the value together with the id
 * it is bound to and can open it on every read path (entity loads through a {@code Session} or a
 * {@code StatelessSession}, scalar, tuple and constructor projections, joins), none of which hands a converter the
 * row. The expression is installed as the column's read expression when the session factory is built.
 *
 * <p>The key columns come from the same row of the same table, so an envelope copied to another row arrives with
 * that row's id and fails to open. A NULL column stays NULL ({@code ||} propagates it).
 *
 * <p>Native SQL reads the bare column, whose content whoever can write the database chooses: it could imitate the
 * key prefix of another row. So every read through the expression starts with {@link #TOKEN}, random digits drawn
 * when this class loads, which appear only in this process's SQL; a value without them is treated as read without
 * its key (the pre-load listener opens it with the entity's id). Forging a prefix needs the token, i.e. the text of
 * this application's queries.
 *
 * <ul>
 *   <li>Binary ({@code bytea}) columns: the token's ASCII digits; for each key column, its text in UTF-8 preceded by
 *       that length as a 4-byte big-endian integer; then the envelope.</li>
 *   <li>Text columns: the token, then for each key column {@code ':'} and the hex of its text in UTF-8, then
 *       {@code ':'} and the envelope's text form. Hex keeps the lengths independent of the server's encoding.</li>
 * </ul>
 */
final class RowBoundRead {

    /** The marker of a read through the expression: 32 random decimal digits, new in every JVM. */
    static final String TOKEN = token();

    private static final byte[] TOKEN_BYTES = TOKEN.getBytes(StandardCharsets.US_ASCII);

    /**
     * A value read through the expression.
     *
     * @param idParts the texts of the row's key columns, in key order
     * @param stored the column's own value, as stored (an envelope, binary or text)
     */
    record Read(List<String> idParts, Object stored) {}

    private RowBoundRead() {}

    private static String token() {
        SecureRandom random = new SecureRandom();
        StringBuilder digits = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            digits.append(random.nextInt(10));
        }
        return digits.toString();
    }

    /**
     * The read expression of one column. For an attribute of the entity itself Hibernate expects the column
     * unqualified, every other column qualified by its {@code {@}} alias placeholder, and qualifies the column by a
     * plain textual replacement of its name, so no other part of the expression may contain that name: the SQL
     * words are written in whichever letter case (upper or lower; PostgreSQL ignores it) does not contain
     * it, and so are unquoted ASCII key columns. Inside an embeddable Hibernate uses the expression as it is, and
     * the column is qualified like the others.
     *
     * @param column the encrypted column's name, ready for SQL
     * @param keyColumns the key columns of its table, ready for SQL, in the id's order
     * @param text whether the column holds the envelope's text form
     * @param embedded whether the attribute is inside an embeddable
     * @param label {@code Entity.attribute}, for the message
     * @return the expression
     * @throws ConfigurationException if the column's name occurs in every rendering of the rest of the expression
     */
    static String expression(String column, List<String> keyColumns, boolean text, boolean embedded, String label) {
        if (embedded) {
            return prefix(keyColumns, text, word -> word.toUpperCase(Locale.ROOT)) + "{@}." + column;
        }
        List<UnaryOperator<String>> cases =
                List.of(word -> word.toUpperCase(Locale.ROOT), word -> word.toLowerCase(Locale.ROOT));
        String prefix = null;
        for (UnaryOperator<String> letterCase : cases) {
            prefix = prefix(keyColumns, text, letterCase);
            if (!prefix.contains(column)) {
                return prefix + column;
            }
        }
        throw new ConfigurationException("@Encrypted on " + label + ": fieldcrypt reads column " + column
                + " together with its row's key (" + String.join(", ", keyColumns) + "), and Hibernate qualifies that"
                + " expression by replacing the column's name wherever it occurs; the name also occurs in the SQL"
                + " around it (" + prefix.replace(TOKEN, "<token>") + "). Rename the column, e.g. @Column(name = \""
                + column + "_enc\")");
    }

    private static String prefix(List<String> keyColumns, boolean text, UnaryOperator<String> letterCase) {
        StringBuilder sql = new StringBuilder();
        if (text) {
            sql.append('\'').append(TOKEN).append('\'');
        } else {
            sql.append(letterCase.apply("cast(")).append('\'').append(TOKEN).append('\'');
            sql.append(letterCase.apply(" as bytea)"));
        }
        for (String key : keyColumns) {
            String keyName = key.startsWith("\"") || !isAscii(key) ? key : letterCase.apply(key);
            String utf8 =
                    letterCase.apply("convert_to(cast(") + "{@}." + keyName + letterCase.apply(" as text),'utf8')");
            if (text) {
                sql.append("||':'||")
                        .append(letterCase.apply("encode("))
                        .append(utf8)
                        .append(letterCase.apply(",'hex')"));
            } else {
                sql.append("||")
                        .append(letterCase.apply("int4send(octet_length("))
                        .append(utf8)
                        .append("))||")
                        .append(utf8);
            }
        }
        return sql.append(text ? "||':'||" : "||").toString();
    }

    private static boolean isAscii(String name) {
        return name.chars().allMatch(c -> c < 0x80);
    }

    /**
     * @param value what the converter received: a read through the expression, or a bare stored value (native SQL
     *     with an entity result, which Hibernate does not rewrite)
     * @param keyParts how many key columns the expression carries
     * @param text whether the column holds the envelope's text form
     * @return the id parts and the stored value, or {@code null} if {@code value} does not start with the token
     * @throws EnvelopeFormatException if it starts with the token but is not what the expression makes
     */
    static Read parse(Object value, int keyParts, boolean text) {
        return text ? parseText((String) value, keyParts) : parseBinary((byte[]) value, keyParts);
    }

    private static Read parseBinary(byte[] value, int keyParts) {
        if (!startsWithToken(value)) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(value, TOKEN_BYTES.length, value.length - TOKEN_BYTES.length);
        List<String> parts = new ArrayList<>(keyParts);
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int i = 0; i < keyParts; i++) {
            if (in.remaining() < Integer.BYTES) {
                throw malformed();
            }
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw malformed();
            }
            try {
                parts.add(decoder.decode(in.slice(in.position(), length)).toString());
            } catch (CharacterCodingException e) {
                throw malformed();
            }
            in.position(in.position() + length);
        }
        return new Read(List.copyOf(parts), Arrays.copyOfRange(value, in.position(), value.length));
    }

    private static boolean startsWithToken(byte[] value) {
        return value.length >= TOKEN_BYTES.length
                && Arrays.equals(value, 0, TOKEN_BYTES.length, TOKEN_BYTES, 0, TOKEN_BYTES.length);
    }

    private static Read parseText(String value, int keyParts) {
        if (!value.startsWith(TOKEN)) {
            return null;
        }
        List<String> parts = new ArrayList<>(keyParts);
        int at = TOKEN.length();
        for (int i = 0; i < keyParts; i++) {
            if (at >= value.length() || value.charAt(at) != ':') {
                throw malformed();
            }
            int end = value.indexOf(':', at + 1);
            if (end < 0) {
                throw malformed();
            }
            try {
                byte[] utf8 = HexFormat.of().parseHex(value, at + 1, end);
                parts.add(StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(utf8))
                        .toString());
            } catch (IllegalArgumentException | CharacterCodingException e) {
                throw malformed();
            }
            at = end;
        }
        if (at >= value.length() || value.charAt(at) != ':') {
            throw malformed();
        }
        return new Read(List.copyOf(parts), value.substring(at + 1));
    }

    private static EnvelopeFormatException malformed() {
        return new EnvelopeFormatException(
                "an encrypted column's value did not arrive in the form fieldcrypt reads it in (row key, then"
                        + " envelope); was the column's read expression changed?");
    }
}
