package io.fieldcrypt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a value lives: the entity, the table, the column and the canonical form of the row's id. It becomes part of
 * the associated data of the value's envelope, so a value opened with any other context fails authentication: a
 * ciphertext copied to another row, column, table or entity does not decrypt.
 *
 * <p>The associated data encodes each part as a 4-byte big-endian length followed by its UTF-8 bytes, in the order
 * entity, table, column, id for {@linkplain Envelope.Version#V2 version 2}; version 1 envelopes were sealed without
 * the table (see {@code docs/FORMAT.md}). Immutable and thread-safe.
 */
public final class FieldContext {

    private final String entity;
    private final String table;
    private final String column;
    private final String id;
    /** Made when first needed: only envelopes of format version 1 (written by 0.1) use it. */
    private volatile byte[] associatedDataV1;

    private final byte[] associatedDataV2;

    private FieldContext(String entity, String table, String column, String id) {
        this(entity, table, column, id, encode(entity, table, column, id));
    }

    private FieldContext(String entity, String table, String column, String id, byte[] associatedDataV2) {
        this.entity = entity;
        this.table = table;
        this.column = column;
        this.id = id;
        this.associatedDataV2 = associatedDataV2;
    }

    /**
     * The contexts of one column's values, row by row: the entity, table and column are encoded once, so each row's
     * context costs only the encoding of its id. Every context it makes is equal to, and has the same associated data
     * as, the one {@link FieldContext#of} makes from the same four parts. Immutable and thread-safe.
     */
    public static final class Column {

        private final String entity;
        private final String table;
        private final String column;
        /** The version 2 associated data of entity, table and column: a context's own, without its id. */
        private final byte[] prefix;

        private Column(String entity, String table, String column) {
            this.entity = entity;
            this.table = table;
            this.column = column;
            this.prefix = encode(entity, table, column);
        }

        /**
         * @param id the canonical form of the row's id
         * @return the context of this column's value in that row
         * @throws NullPointerException if {@code id} is null
         */
        public FieldContext row(String id) {
            int length = Objects.requireNonNull(id, "id").length();
            for (int i = 0; i < length; i++) {
                if (id.charAt(i) >= 0x80) {
                    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
                    byte[] associatedData = Arrays.copyOf(prefix, prefix.length + Integer.BYTES + utf8.length);
                    ByteBuffer.wrap(associatedData, prefix.length, Integer.BYTES + utf8.length)
                            .putInt(utf8.length)
                            .put(utf8);
                    return new FieldContext(entity, table, column, id, associatedData);
                }
            }
            // An ASCII id (every integer id): its UTF-8 bytes are its chars, written in place.
            byte[] associatedData = Arrays.copyOf(prefix, prefix.length + Integer.BYTES + length);
            ByteBuffer.wrap(associatedData, prefix.length, Integer.BYTES).putInt(length);
            for (int i = 0; i < length; i++) {
                associatedData[prefix.length + Integer.BYTES + i] = (byte) id.charAt(i);
            }
            return new FieldContext(entity, table, column, id, associatedData);
        }

        /** Shows the names, as {@link FieldContext#toString()} does. */
        @Override
        public String toString() {
            return entity + "." + table + "." + column;
        }
    }

    /**
     * @param entity the entity name, for example {@code Customer}
     * @param table the unqualified table name, for example {@code customer}
     * @param column the column name, for example {@code ssn}
     * @return the contexts of that column's values, one per row id
     * @throws NullPointerException if an argument is null
     */
    public static Column column(String entity, String table, String column) {
        return new Column(
                Objects.requireNonNull(entity, "entity"),
                Objects.requireNonNull(table, "table"),
                Objects.requireNonNull(column, "column"));
    }

    /**
     * @param entity the entity name, for example {@code Customer}
     * @param table the unqualified table name, for example {@code customer}
     * @param column the column name, for example {@code ssn}
     * @param id the canonical form of the row's id, stable across processes and versions
     * @return the context
     * @throws NullPointerException if an argument is null
     */
    public static FieldContext of(String entity, String table, String column, String id) {
        return new FieldContext(
                Objects.requireNonNull(entity, "entity"),
                Objects.requireNonNull(table, "table"),
                Objects.requireNonNull(column, "column"),
                Objects.requireNonNull(id, "id"));
    }

    /** @return the entity name */
    public String entity() {
        return entity;
    }

    /** @return the table name */
    public String table() {
        return table;
    }

    /** @return the column name */
    public String column() {
        return column;
    }

    /** @return the canonical id */
    public String id() {
        return id;
    }

    /** The encoded context for envelopes of {@code version}; the caller must not modify it. */
    byte[] associatedData(Envelope.Version version) {
        if (version != Envelope.Version.V1) {
            return associatedDataV2;
        }
        byte[] v1 = associatedDataV1;
        if (v1 == null) {
            // Racing threads compute the same bytes; either array may stay.
            v1 = encode(entity, column, id);
            associatedDataV1 = v1;
        }
        return v1;
    }

    private static byte[] encode(String... parts) {
        byte[][] utf8 = new byte[parts.length][];
        int size = 0;
        for (int i = 0; i < parts.length; i++) {
            utf8[i] = parts[i].getBytes(StandardCharsets.UTF_8);
            size += Integer.BYTES + utf8[i].length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (byte[] part : utf8) {
            buffer.putInt(part.length).put(part);
        }
        return buffer.array();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FieldContext that
                && entity.equals(that.entity)
                && table.equals(that.table)
                && column.equals(that.column)
                && id.equals(that.id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entity, table, column, id);
    }

    /** Shows entity, table, column and id: none of them is secret. */
    @Override
    public String toString() {
        return entity + "." + table + "." + column + "[id=" + id + "]";
    }
}
