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
 * <p>Each key column is sent in the cheapest form that PostgreSQL makes without text conversion, because with
 * {@code OFFSET} paging PostgreSQL evaluates the expression for every skipped row too: integers as
 * {@code int8send} (8 bytes), UUIDs as {@code uuid_send} (16 bytes), strings as their UTF-8 bytes after a 4-byte
 * big-endian length. Text columns get the token, then for each key {@code ':'} and its text (integers and UUIDs as
 * PostgreSQL writes them, strings as the hex of their UTF-8 bytes, so no length depends on the server's encoding),
 * then {@code ':'} and the envelope's text form. The converter turns each key back into its Java value
 * ({@code Long}, {@code UUID}, {@code String}; a key text must be exactly what PostgreSQL writes for it), and
 * {@link CanonicalId#ofKeyParts} makes the canonical id of those.
 *
 * <p>An attribute migrating from a legacy column ({@code @Encrypted(migrateFrom)}) reads
 * {@code coalesce(<keyed envelope>, <keyed legacy value>)}: while its own column is NULL, the legacy column's value as
 * text ({@link LegacyColumn#textSql}) behind {@link #LEGACY_TOKEN} and the same keys, so the converter knows it for
 * legacy plaintext by where it came from, never by its content.
 */
final class RowBoundRead {

    /**
     * The marker of a read through the expression: 16 random decimal digits (53 bits), new in every JVM. Short,
     * because every encrypted value of every row read carries it; unguessable enough, because a guess can only be
     * tried by planting it and waiting for this application to read that row by native SQL.
     */
    static final String TOKEN = token();

    private static final byte[] TOKEN_BYTES = TOKEN.getBytes(StandardCharsets.US_ASCII);

    /** The marker of a legacy column's value read through the expression: like {@link #TOKEN}, and drawn apart. */
    static final String LEGACY_TOKEN = legacyToken();

    private static final byte[] LEGACY_TOKEN_BYTES = LEGACY_TOKEN.getBytes(StandardCharsets.US_ASCII);

    /** How a key column travels, by the Java type of its id part. */
    enum KeyKind {
        /** {@code Long}, {@code Integer}, {@code Short}: {@code int8send} / decimal text. */
        INTEGER,
        /** {@code UUID}: {@code uuid_send} / PostgreSQL's text. */
        UUID,
        /** {@code String}, and any other type (refused later, when the factory is built): UTF-8 bytes / hex. */
        STRING;

        /**
         * @param sqlTypeCode an id column's JDBC type code ({@link org.hibernate.type.SqlTypes})
         * @return how the column travels: as its Java type would ({@link #of})
         */
        static KeyKind ofSqlType(int sqlTypeCode) {
            return switch (sqlTypeCode) {
                case org.hibernate.type.SqlTypes.BIGINT,
                        org.hibernate.type.SqlTypes.INTEGER,
                        org.hibernate.type.SqlTypes.SMALLINT,
                        org.hibernate.type.SqlTypes.TINYINT -> INTEGER;
                case org.hibernate.type.SqlTypes.UUID -> UUID;
                default -> STRING;
            };
        }

        /** @return how an id part of {@code javaType} travels */
        static KeyKind of(Class<?> javaType) {
            if (javaType == Long.class
                    || javaType == long.class
                    || javaType == Integer.class
                    || javaType == int.class
                    || javaType == Short.class
                    || javaType == short.class) {
                return INTEGER;
            }
            return javaType == java.util.UUID.class ? UUID : STRING;
        }
    }

    /**
     * A key column of the table.
     *
     * @param column its name, ready for SQL
     * @param kind how it travels
     */
    record Key(String column, KeyKind kind) {}

    /**
     * A value read through the expression.
     *
     * @param idParts the row's key columns, in key order: {@code Long} for integers, {@code UUID}, {@code String}
     * @param stored the column's own value, as stored (an envelope, binary or text); or, if {@code legacy}, the
     *     text of the legacy column's value
     * @param legacy whether the value came from the column the attribute migrates from
     */
    record Read(List<Object> idParts, Object stored, boolean legacy) {

        /** Names the parts, never the stored value: a legacy one is plaintext. */
        @Override
        public String toString() {
            return "Read[" + idParts.size() + " key part(s), " + (legacy ? "legacy value" : "envelope") + "]";
        }
    }

    private RowBoundRead() {}

    private static String legacyToken() {
        String token = token();
        return token.equals(TOKEN) ? legacyToken() : token;
    }

    private static String token() {
        SecureRandom random = new SecureRandom();
        StringBuilder digits = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
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
     * @param keys the key columns of its table, in the id's order
     * @param text whether the column holds the envelope's text form
     * @param embedded whether the attribute is inside an embeddable
     * @param legacy the column the attribute migrates from (an attribute of the entity itself), or {@code null}
     * @param label {@code Entity.attribute}, for the message
     * @return the expression
     * @throws ConfigurationException if the column's name occurs in every rendering of the rest of the expression
     */
    static String expression(
            String column, List<Key> keys, boolean text, boolean embedded, LegacyColumn legacy, String label) {
        if (embedded) {
            return prefix(TOKEN, keys, text, word -> word.toUpperCase(Locale.ROOT)) + "{@}." + column;
        }
        List<UnaryOperator<String>> cases =
                List.of(word -> word.toUpperCase(Locale.ROOT), word -> word.toLowerCase(Locale.ROOT));
        String prefix = null;
        for (UnaryOperator<String> letterCase : cases) {
            prefix = prefix(TOKEN, keys, text, letterCase);
            String suffix = "";
            if (legacy != null) {
                String value = legacy.textSql("{@}." + sqlCase(legacy.sqlName(), letterCase), letterCase);
                prefix = letterCase.apply("coalesce(") + prefix;
                suffix = "," + prefix(LEGACY_TOKEN, keys, text, letterCase)
                        + (text ? value : letterCase.apply("convert_to(") + value + letterCase.apply(",'utf8')"))
                        + ")";
            }
            if (!prefix.contains(column) && !suffix.contains(column)) {
                return prefix + column + suffix;
            }
            prefix = prefix + "..." + suffix;
        }
        throw new ConfigurationException("@Encrypted on " + label + ": fieldcrypt reads column " + column
                + " together with its row's key ("
                + String.join(", ", keys.stream().map(Key::column).toList()) + "), and Hibernate qualifies that"
                + " expression by replacing the column's name wherever it occurs; the name also occurs in the SQL"
                + " around it (" + prefix.replace(TOKEN, "<token>").replace(LEGACY_TOKEN, "<token>")
                + "). Rename the column, e.g. @Column(name = \""
                + column + "_enc\")");
    }

    private static String prefix(String token, List<Key> keys, boolean text, UnaryOperator<String> letterCase) {
        StringBuilder sql = new StringBuilder();
        if (text) {
            sql.append('\'').append(token).append('\'');
        } else {
            sql.append(letterCase.apply("cast(")).append('\'').append(token).append('\'');
            sql.append(letterCase.apply(" as bytea)"));
        }
        for (Key key : keys) {
            String column = "{@}." + sqlCase(key.column(), letterCase);
            sql.append(text ? "||':'||" : "||").append(keyExpression(column, key.kind(), text, letterCase));
        }
        return sql.append(text ? "||':'||" : "||").toString();
    }

    private static String keyExpression(String column, KeyKind kind, boolean text, UnaryOperator<String> letterCase) {
        return switch (kind) {
            case INTEGER ->
                text
                        ? letterCase.apply("cast(") + column + letterCase.apply(" as text)")
                        : letterCase.apply("int8send(cast(") + column + letterCase.apply(" as bigint))");
            case UUID ->
                text
                        ? letterCase.apply("cast(cast(") + column + letterCase.apply(" as uuid) as text)")
                        : letterCase.apply("uuid_send(cast(") + column + letterCase.apply(" as uuid))");
            case STRING -> {
                String utf8 = letterCase.apply("convert_to(cast(") + column + letterCase.apply(" as text),'utf8')");
                yield text
                        ? letterCase.apply("encode(") + utf8 + letterCase.apply(",'hex')")
                        : letterCase.apply("int4send(octet_length(") + utf8 + "))||" + utf8;
            }
        };
    }

    /** A column name in {@code letterCase}, unless it is quoted or not ASCII (then its case matters). */
    private static String sqlCase(String name, UnaryOperator<String> letterCase) {
        return name.startsWith("\"") || !isAscii(name) ? name : letterCase.apply(name);
    }

    private static boolean isAscii(String name) {
        return name.chars().allMatch(c -> c < 0x80);
    }

    /**
     * @param value what the converter received: a read through the expression, or a bare stored value (native SQL
     *     with an entity result, which Hibernate does not rewrite)
     * @param keys how the key columns travel, in the id's order
     * @param text whether the column holds the envelope's text form
     * @return the id parts and the stored value, or {@code null} if {@code value} does not start with the token
     * @throws EnvelopeFormatException if it starts with the token but is not what the expression makes
     */
    static Read parse(Object value, List<KeyKind> keys, boolean text) {
        return text ? parseText((String) value, keys) : parseBinary((byte[]) value, keys);
    }

    private static Read parseBinary(byte[] value, List<KeyKind> keys) {
        boolean legacy = startsWith(value, LEGACY_TOKEN_BYTES);
        if (!legacy && !startsWith(value, TOKEN_BYTES)) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(value, TOKEN_BYTES.length, value.length - TOKEN_BYTES.length);
        if (keys.size() == 1 && keys.get(0) == KeyKind.INTEGER) {
            // The common key, a single integer column, without a list to build and copy per value.
            List<Object> part = List.of(take(in, Long.BYTES).getLong());
            return legacy
                    ? new Read(part, utf8(in), true)
                    : new Read(part, Arrays.copyOfRange(value, in.position(), value.length), false);
        }
        List<Object> parts = new ArrayList<>(keys.size());
        for (KeyKind kind : keys) {
            parts.add(
                    switch (kind) {
                        case INTEGER -> take(in, Long.BYTES).getLong();
                        case UUID -> {
                            ByteBuffer uuid = take(in, 2 * Long.BYTES);
                            yield new java.util.UUID(uuid.getLong(), uuid.getLong());
                        }
                        case STRING -> {
                            int length = take(in, Integer.BYTES).getInt();
                            yield utf8(take(in, length));
                        }
                    });
        }
        return legacy
                ? new Read(List.copyOf(parts), utf8(in), true)
                : new Read(List.copyOf(parts), Arrays.copyOfRange(value, in.position(), value.length), false);
    }

    /** @return the next {@code length} bytes of {@code in}, consumed */
    private static ByteBuffer take(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw malformed();
        }
        ByteBuffer taken = in.slice(in.position(), length);
        in.position(in.position() + length);
        return taken;
    }

    private static String utf8(ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed();
        }
    }

    /** @return whether {@code value} (a {@code byte[]} or {@code String} column value) was read through the expression */
    static boolean isKeyed(Object value) {
        return value instanceof byte[] bytes
                ? startsWith(bytes, TOKEN_BYTES) || startsWith(bytes, LEGACY_TOKEN_BYTES)
                : ((String) value).startsWith(TOKEN) || ((String) value).startsWith(LEGACY_TOKEN);
    }

    private static boolean startsWith(byte[] value, byte[] token) {
        return value.length >= token.length && Arrays.equals(value, 0, token.length, token, 0, token.length);
    }

    private static Read parseText(String value, List<KeyKind> keys) {
        boolean legacy = value.startsWith(LEGACY_TOKEN);
        if (!legacy && !value.startsWith(TOKEN)) {
            return null;
        }
        List<Object> parts = new ArrayList<>(keys.size());
        int at = TOKEN.length();
        for (KeyKind kind : keys) {
            if (at >= value.length() || value.charAt(at) != ':') {
                throw malformed();
            }
            int end = value.indexOf(':', at + 1);
            if (end < 0) {
                throw malformed();
            }
            String text = value.substring(at + 1, end);
            try {
                Object part = switch (kind) {
                    case INTEGER -> Long.valueOf(text);
                    case UUID -> java.util.UUID.fromString(text);
                    case STRING -> utf8(ByteBuffer.wrap(HexFormat.of().parseHex(text)));
                };
                if (kind != KeyKind.STRING && !part.toString().equals(text)) {
                    // "+42", "042", an upper-case UUID: not what PostgreSQL writes for a key, so not a key it wrote.
                    throw malformed();
                }
                parts.add(part);
            } catch (IllegalArgumentException e) {
                throw malformed();
            }
            at = end;
        }
        if (at >= value.length() || value.charAt(at) != ':') {
            throw malformed();
        }
        return new Read(List.copyOf(parts), value.substring(at + 1), legacy);
    }

    private static EnvelopeFormatException malformed() {
        return new EnvelopeFormatException(
                "an encrypted column's value did not arrive in the form fieldcrypt reads it in (row key, then"
                        + " envelope); was the column's read expression changed?");
    }
}
