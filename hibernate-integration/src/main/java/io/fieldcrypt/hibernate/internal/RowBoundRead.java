package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.Envelope;
import io.fieldcrypt.EnvelopeFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <ul>
 *   <li>Binary ({@code bytea}) columns: for each key column, its text in UTF-8, preceded by that length as a 4-byte
 *       big-endian integer; then the envelope, which starts with {@link Envelope#MAGIC}. A length prefix below
 *       2^24 starts with a zero byte, so a bare envelope (native SQL) is told apart by its first byte.</li>
 *   <li>Text columns: for each key column, its length in characters (code points), {@code ':'}, its text; then the
 *       envelope's text form, which starts with {@link Envelope#TEXT_PREFIX} (never a digit).</li>
 * </ul>
 */
final class RowBoundRead {

    /**
     * A value read through the expression.
     *
     * @param idParts the texts of the row's key columns, in key order
     * @param stored the column's own value, as stored (an envelope, binary or text)
     */
    record Read(List<String> idParts, Object stored) {}

    private RowBoundRead() {}

    /**
     * The read expression of one column. For an attribute of the entity itself Hibernate expects the column
     * unqualified, every other column qualified by its {@code {@}} alias placeholder, and qualifies the column by a
     * plain textual replacement of its name, so no other part of the expression may contain that name: the SQL words are written in whichever letter case (upper, lower, capitalized; PostgreSQL ignores it for
     * unquoted names) does not contain it, and so are unquoted key columns.
     *
     * @param column the encrypted column's name, ready for SQL
     * @param keyColumns the key columns of its table, ready for SQL, in the id's order
     * @param text whether the column holds the envelope's text form
     * @param embedded whether the attribute is inside an embeddable, where Hibernate uses the expression as it is
     * @param label {@code Entity.attribute}, for the message
     * @return the expression
     * @throws ConfigurationException if the column's name occurs in every rendering of the rest of the expression
     */
    static String expression(String column, List<String> keyColumns, boolean text, boolean embedded, String label) {
        if (embedded) {
            // Hibernate takes the read expression of a column inside an embeddable as it is: nothing is replaced, so
            // the column is qualified like the others.
            return prefix(keyColumns, text, word -> word.toUpperCase(Locale.ROOT)) + "{@}." + column;
        }
        List<UnaryOperator<String>> cases = List.of(
                word -> word.toUpperCase(Locale.ROOT),
                word -> word.toLowerCase(Locale.ROOT),
                word -> word.substring(0, 1).toUpperCase(Locale.ROOT)
                        + word.substring(1).toLowerCase(Locale.ROOT));
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
                + " around it (" + prefix + "). Rename the column, e.g. @Column(name = \"" + column + "_enc\")");
    }

    private static String prefix(List<String> keyColumns, boolean text, UnaryOperator<String> letterCase) {
        StringBuilder sql = new StringBuilder();
        for (String key : keyColumns) {
            String keyName = key.startsWith("\"") ? key : letterCase.apply(key);
            String idText = letterCase.apply("cast(") + "{@}." + keyName + letterCase.apply(" as text)");
            if (text) {
                sql.append(letterCase.apply("char_length("))
                        .append(idText)
                        .append(")||':'||")
                        .append(idText);
            } else {
                String utf8 = letterCase.apply("convert_to(") + idText + letterCase.apply(",'utf8')");
                sql.append(letterCase.apply("int4send(octet_length("))
                        .append(utf8)
                        .append("))||")
                        .append(utf8);
            }
            sql.append("||");
        }
        return sql.toString();
    }

    /**
     * @param value what the converter received: a read through the expression, or a bare stored value (native SQL
     *     with an entity result, which Hibernate does not rewrite)
     * @param keyParts how many key columns the expression carries
     * @param text whether the column holds the envelope's text form
     * @return the id parts and the stored value, or {@code null} if {@code value} is a bare stored value
     * @throws EnvelopeFormatException if the value is neither
     */
    static Read parse(Object value, int keyParts, boolean text) {
        return text ? parseText((String) value, keyParts) : parseBinary((byte[]) value, keyParts);
    }

    private static Read parseBinary(byte[] value, int keyParts) {
        if (value.length > 0 && value[0] == Envelope.MAGIC) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(value);
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
            ByteBuffer part = in.slice(in.position(), length);
            try {
                parts.add(decoder.decode(part).toString());
            } catch (CharacterCodingException e) {
                throw malformed();
            }
            in.position(in.position() + length);
        }
        return new Read(List.copyOf(parts), Arrays.copyOfRange(value, in.position(), value.length));
    }

    private static Read parseText(String value, int keyParts) {
        if (value.startsWith(Envelope.TEXT_PREFIX)) {
            return null;
        }
        List<String> parts = new ArrayList<>(keyParts);
        int at = 0;
        for (int i = 0; i < keyParts; i++) {
            int colon = value.indexOf(':', at);
            if (colon <= at || colon - at > 9) {
                throw malformed();
            }
            int codePoints;
            try {
                codePoints = Integer.parseInt(value, at, colon, 10);
            } catch (NumberFormatException e) {
                throw malformed();
            }
            int start = colon + 1;
            int end;
            try {
                end = value.offsetByCodePoints(start, codePoints);
            } catch (IndexOutOfBoundsException e) {
                throw malformed();
            }
            parts.add(value.substring(start, end));
            at = end;
        }
        return new Read(List.copyOf(parts), value.substring(at));
    }

    private static EnvelopeFormatException malformed() {
        return new EnvelopeFormatException(
                "an encrypted column's value did not arrive in the form fieldcrypt reads it in (row key, then"
                        + " envelope); was the column's read expression changed?");
    }
}
