package io.fieldcrypt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
        this.entity = entity;
        this.table = table;
        this.column = column;
        this.id = id;
        this.associatedDataV2 = encode(entity, table, column, id);
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
