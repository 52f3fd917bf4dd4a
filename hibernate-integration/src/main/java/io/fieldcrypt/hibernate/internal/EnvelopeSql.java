package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.Envelope;
import java.util.StringJoiner;

/**
 * SQL expressions that read the header of a stored envelope in PostgreSQL, for the maintenance jobs: which data key
 * a value is under and which format version it has, without fetching it. Derived from {@link Envelope}'s constants
 * so the two cannot drift apart; {@code docs/FORMAT.md} ("Reading the data key id in SQL") states the semantics and
 * known-answer vectors check them against a real server.
 *
 * <p>A value yields a result only if it carries the envelope marker: for {@code bytea}, at least
 * {@value Envelope#OVERHEAD_BYTES} bytes starting with the magic byte and a known version; for text, the
 * {@value Envelope#TEXT_PREFIX} prefix followed by base64url whose first 12 bytes are such a header. Anything else
 * gives NULL. Nested {@code CASE}s (whose order PostgreSQL keeps, unlike {@code AND}'s) make sure a short value
 * is never indexed and text that is not base64url is never decoded.
 */
final class EnvelopeSql {

    /** Base64url characters that encode the first 12 bytes: magic, version, algorithm, data key id, one more. */
    private static final int HEADER_CHARS = 16;

    private EnvelopeSql() {}

    /**
     * @param column a column name, ready for SQL
     * @param text whether it holds the text form
     * @return an expression giving the data key id of the column's value, or NULL
     */
    static String dataKeyId(String column, boolean text) {
        return header(
                column,
                text,
                bytes -> "('x' || encode(substring(" + bytes + " from " + (Envelope.DATA_KEY_ID_OFFSET + 1) + " for "
                        + Long.BYTES + "), 'hex'))::bit(64)::bigint");
    }

    /**
     * @param column a column name, ready for SQL
     * @param text whether it holds the text form
     * @return an expression giving the format version of the column's value, or NULL
     */
    static String version(String column, boolean text) {
        return header(column, text, bytes -> "get_byte(" + bytes + ", " + Envelope.VERSION_OFFSET + ")");
    }

    private interface Extract {
        String from(String bytes);
    }

    private static String header(String column, boolean text, Extract extract) {
        if (!text) {
            return "(case when octet_length(" + column + ") >= " + Envelope.OVERHEAD_BYTES + " then (case when "
                    + marked(column) + " then " + extract.from(column) + " end) end)";
        }
        String prefix = Envelope.TEXT_PREFIX;
        String bytes = "decode(translate(substring(" + column + " from " + (prefix.length() + 1) + " for "
                + HEADER_CHARS + "), '-_', '+/'), 'base64')";
        return "(case when " + column + " ~ '^" + prefix + "[A-Za-z0-9_-]{" + HEADER_CHARS + "}' then (case when "
                + marked(bytes) + " then " + extract.from(bytes) + " end) end)";
    }

    /** The magic byte and a known version at the start of {@code bytes}. */
    private static String marked(String bytes) {
        StringJoiner versions = new StringJoiner(", ", "(", ")");
        for (Envelope.Version version : Envelope.Version.values()) {
            versions.add(Integer.toString(version.wireValue()));
        }
        return "get_byte(" + bytes + ", 0) = " + (Envelope.MAGIC & 0xFF) + " and get_byte(" + bytes + ", "
                + Envelope.VERSION_OFFSET + ") in " + versions;
    }
}
