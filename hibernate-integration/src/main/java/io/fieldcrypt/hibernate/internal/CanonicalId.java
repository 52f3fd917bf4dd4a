package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.EnvelopeFormatException;
import io.fieldcrypt.FieldCryptException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.mapping.BasicEntityIdentifierMapping;
import org.hibernate.metamodel.mapping.EntityIdentifierMapping;
import org.hibernate.persister.entity.EntityPersister;

/**
 * The canonical text of an entity id, bound into the associated data of every encrypted value of its row. It must be
 * the same in every process and version, and the same whether the id comes from the entity (the listeners) or from
 * the table (the maintenance jobs), so it is defined here for exactly the id types whose value survives a database
 * round trip unchanged, and every other id type is refused when the session factory is built:
 *
 * <ul>
 *   <li>{@code Long}, {@code Integer}, {@code Short}: decimal text ({@code 42}, {@code -7});</li>
 *   <li>{@code String}: the string itself;</li>
 *   <li>{@code UUID}: lower-case 8-4-4-4-12 hex;</li>
 *   <li>a composite id ({@code @EmbeddedId}, {@code @IdClass}) of those: a JSON array of its parts in the mapping's
 *       column order, integers bare, strings and UUIDs quoted, e.g. {@code ["clinic-7",1024]}.</li>
 * </ul>
 *
 * <p>{@code docs/FORMAT.md} specifies it for other implementations; known-answer vectors pin it. Thread-safe: its
 * one mutable field caches the text of the last {@code Long} id, replaced whole.
 */
final class CanonicalId {

    /** The supported part types, with the names used in messages. */
    private static final Map<Class<?>, Class<?>> BOXED =
            Map.of(long.class, Long.class, int.class, Integer.class, short.class, Short.class);

    private static final List<Class<?>> SUPPORTED =
            List.of(Long.class, Integer.class, Short.class, String.class, UUID.class);

    private final boolean composite;
    private final List<Class<?>> partTypes;
    /**
     * The last {@code Long} id made canonical, with its text: the encrypted values of one row, and the entity's
     * pre-load check after them, ask for the same id in turn. Replaced whole, so threads see one or the other.
     */
    private volatile LastLong lastLong = new LastLong(0, "0");

    private record LastLong(long value, String text) {}

    /** How the parts travel in a keyed read: asked for on every value read, so computed once. */
    private final List<RowBoundRead.KeyKind> keyKinds;

    private CanonicalId(boolean composite, List<Class<?>> partTypes) {
        this.composite = composite;
        this.partTypes = List.copyOf(partTypes);
        this.keyKinds = this.partTypes.stream().map(RowBoundRead.KeyKind::of).toList();
    }

    /**
     * @param persister an entity with encrypted attributes
     * @param label an encrypted attribute of it, for the message
     * @return how its ids become canonical text
     * @throws ConfigurationException if the id, or a part of a composite id, is of a type with no canonical text
     */
    static CanonicalId forEntity(EntityPersister persister, String label) {
        EntityIdentifierMapping mapping = persister.getIdentifierMapping();
        boolean composite = !(mapping instanceof BasicEntityIdentifierMapping);
        List<Class<?>> types = new ArrayList<>();
        mapping.forEachSelectable((index, selectable) -> types.add(
                boxed(selectable.getJdbcMapping().getJavaTypeDescriptor().getJavaTypeClass())));
        for (Class<?> type : types) {
            if (!SUPPORTED.contains(type)) {
                String entity =
                        persister.getJpaEntityName() != null ? persister.getJpaEntityName() : persister.getEntityName();
                throw new ConfigurationException("@Encrypted on " + label + " binds every value to its row's id, but"
                        + " the id of " + entity + (composite ? " has a part of type " : " is of type ")
                        + declaredName(mapping, type)
                        + ", whose value does not survive a database round trip unchanged (its"
                        + " text would differ when read back, and the values could never be opened again). Use an"
                        + " id of type Long, Integer, Short, String or UUID, or a composite id of those");
            }
        }
        return new CanonicalId(composite, types);
    }

    /**
     * The id's type as the entity declares it: ORM 7.2 describes a {@code java.util.Date} id by a Java type whose class
     * is {@code java.sql.Timestamp}, so a message naming the mapped class would name a type the user never wrote.
     */
    private static String declaredName(EntityIdentifierMapping mapping, Class<?> mapped) {
        if (mapping instanceof BasicEntityIdentifierMapping basic
                && basic.getPropertyAccess() != null
                && basic.getPropertyAccess().getGetter() != null) {
            Class<?> declared = basic.getPropertyAccess().getGetter().getReturnTypeClass();
            if (declared != null && declared != Object.class) {
                return boxed(declared).getName();
            }
        }
        return mapped.getName();
    }

    /**
     * @param id an entity id
     * @param persister its entity
     * @param session the session
     * @return the canonical text
     */
    String of(Object id, EntityPersister persister, SharedSessionContractImplementor session) {
        if (!composite) {
            return id instanceof Long value ? ofLong(value) : text(List.of(id), false);
        }
        List<Object> parts = new ArrayList<>(partTypes.size());
        persister.getIdentifierMapping().breakDownJdbcValues(id, (index, value, mapping) -> parts.add(value), session);
        return text(parts, true);
    }

    /**
     * Reads the key columns of a row as the id's Java types and gives the canonical text, the same the listeners
     * compute from the entity.
     *
     * @param rs a result set positioned on a row
     * @param firstColumn the index of the first key column; the others follow in canonical order
     * @return the canonical text
     * @throws SQLException if a column cannot be read as its type
     */
    String ofKeyColumns(ResultSet rs, int firstColumn) throws SQLException {
        List<Object> parts = new ArrayList<>(partTypes.size());
        for (int i = 0; i < partTypes.size(); i++) {
            Class<?> type = partTypes.get(i);
            // A UUID id may be stored as text (char(36), varchar): the driver does not convert that to a UUID.
            parts.add(
                    type == java.util.UUID.class
                            ? uuid(rs.getString(firstColumn + i))
                            : rs.getObject(firstColumn + i, type));
        }
        return text(parts, composite);
    }

    private static java.util.UUID uuid(String text) {
        return text == null ? null : java.util.UUID.fromString(text.trim());
    }

    /** @return how each of the id's columns travels in a keyed read */
    List<RowBoundRead.KeyKind> keyKinds() {
        return keyKinds;
    }

    /**
     * The canonical text of an id read from its key columns together with an encrypted value (see
     * {@link RowBoundRead}): the same as {@link #of} gives for the same id.
     *
     * @param parts the key columns' values as read: {@code Long} for integer parts, {@code UUID}, {@code String}
     * @return the canonical text
     * @throws EnvelopeFormatException if a part is not a value of its part's type
     */
    String ofKeyParts(List<Object> parts) {
        if (!composite) {
            Object part = as(parts.get(0), partTypes.get(0));
            if (part instanceof Long value) {
                return ofLong(value);
            }
            return part(part);
        }
        List<Object> typed = new ArrayList<>(partTypes.size());
        for (int i = 0; i < partTypes.size(); i++) {
            typed.add(as(parts.get(i), partTypes.get(i)));
        }
        return text(typed, composite);
    }

    /** @return the canonical text of a {@code Long} id, its decimal digits, as {@link #text} gives */
    private String ofLong(long value) {
        LastLong last = lastLong;
        if (last.value() == value) {
            return last.text();
        }
        String text = Long.toString(value);
        lastLong = new LastLong(value, text);
        return text;
    }

    private static Object as(Object part, Class<?> type) {
        if (part instanceof Long value && type != Long.class) {
            if (type == Integer.class && value == value.intValue()) {
                return value.intValue();
            }
            if (type == Short.class && value == value.shortValue()) {
                return value.shortValue();
            }
        } else if (type.isInstance(part)) {
            return part;
        }
        throw new EnvelopeFormatException("a row key read with an encrypted value is not a " + type.getSimpleName());
    }

    /**
     * The one canonical-id function.
     *
     * @param parts the id's parts, of the supported types, in column order
     * @param composite whether the id is composite
     * @return the canonical text
     */
    static String text(List<?> parts, boolean composite) {
        if (!composite) {
            return part(parts.get(0));
        }
        StringBuilder json = new StringBuilder("[");
        for (Object part : parts) {
            if (json.length() > 1) {
                json.append(',');
            }
            if (part instanceof String || part instanceof UUID) {
                appendQuoted(json, part(part));
            } else {
                json.append(part(part));
            }
        }
        return json.append(']').toString();
    }

    /**
     * Appends {@code text} as a JSON string, escaping exactly what {@code docs/FORMAT.md} says: {@code "} and
     * {@code \\} by a backslash, characters below U+0020 as {@code \\u00xx}; everything else as it is.
     */
    private static void appendQuoted(StringBuilder json, String text) {
        json.append('"');
        text.chars().forEach(c -> {
            if (c == '"' || c == '\\') {
                json.append('\\').append((char) c);
            } else if (c < 0x20) {
                json.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
            } else {
                json.append((char) c);
            }
        });
        json.append('"');
    }

    private static String part(Object value) {
        if (value instanceof Long
                || value instanceof Integer
                || value instanceof Short
                || value instanceof String
                || value instanceof UUID) {
            return value.toString();
        }
        throw new FieldCryptException("an id part of type "
                + (value == null ? "null" : value.getClass().getName())
                + " has no canonical text; it should have been refused when the session factory was built");
    }

    private static Class<?> boxed(Class<?> type) {
        return BOXED.getOrDefault(type, type);
    }
}
