package io.fieldcrypt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a value lives: the entity, the column and the canonical form of the row's id. It becomes part of the
 * associated data of the value's envelope, so a value opened with any other context fails authentication: a
 * ciphertext copied to another row, column or entity does not decrypt.
 *
 * <p>The associated data encodes each part as a 4-byte big-endian length followed by its UTF-8 bytes, in the order
 * entity, column, id (see {@code docs/FORMAT.md}). Immutable and thread-safe.
 */
public final class FieldContext {

    private final String entity;
    private final String column;
    private final String id;
    private final byte[] associatedData;

    private FieldContext(String entity, String column, String id) {
        this.entity = entity;
        this.column = column;
        this.id = id;
        this.associatedData = encode(entity, column, id);
    }

    /**
     * @param entity the entity name, for example {@code Customer}
     * @param column the column (or attribute) name, for example {@code ssn}
     * @param id the canonical form of the row's id, stable across processes and versions
     * @return the context
     * @throws NullPointerException if an argument is null
     */
    public static FieldContext of(String entity, String column, String id) {
        return new FieldContext(Objects.requireNonNull(entity, "entity"), Objects.requireNonNull(column, "column"),
                Objects.requireNonNull(id, "id"));
    }

    /** @return the entity name */
    public String entity() {
        return entity;
    }

    /** @return the column name */
    public String column() {
        return column;
    }

    /** @return the canonical id */
    public String id() {
        return id;
    }

    /** The encoded context; the caller must not modify it. */
    byte[] associatedData() {
        return associatedData;
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
                && entity.equals(that.entity) && column.equals(that.column) && id.equals(that.id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entity, column, id);
    }

    /** Shows entity, column and id: none of them is secret. */
    @Override
    public String toString() {
        return entity + "." + column + "[id=" + id + "]";
    }
}
