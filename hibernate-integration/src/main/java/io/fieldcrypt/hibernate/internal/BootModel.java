package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.spi.ConnectionSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.hibernate.boot.Metadata;
import org.hibernate.dialect.Dialect;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.mapping.BasicValue;
import org.hibernate.mapping.Column;
import org.hibernate.mapping.Component;
import org.hibernate.mapping.Join;
import org.hibernate.mapping.KeyValue;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;
import org.hibernate.mapping.Table;
import org.hibernate.type.CompositeType;
import org.hibernate.type.Type;

/**
 * What the boot model says about encryption: the encrypted attributes of each entity (as the binder marked them),
 * and the tables and columns the jobs work on. Reads the model only; builds immutable descriptions.
 */
final class BootModel {

    private BootModel() {}

    static ConnectionSource connections(SessionFactoryImplementor sessionFactory) {
        ConnectionProvider provider = sessionFactory.getServiceRegistry().requireService(ConnectionProvider.class);
        return new ConnectionSource() {
            @Override
            public Connection acquire() throws SQLException {
                return provider.getConnection();
            }

            @Override
            public void release(Connection connection) throws SQLException {
                provider.closeConnection(connection);
            }
        };
    }

    /** The tables and columns the maintenance jobs work on, one entry per table. */
    static List<EncryptedTable> encryptedTables(Metadata metadata, SessionFactoryImplementor factory) {
        var context = factory.getSqlStringGenerationContext();
        var dialect = factory.getJdbcServices().getDialect();
        Map<Table, EncryptedTable> tables = new LinkedHashMap<>();
        for (PersistentClass entity : metadata.getEntityBindings()) {
            for (Found found : encryptedProperties(entity)) {
                Table table = found.value().getTable();
                EncryptedTable known = tables.computeIfAbsent(
                        table,
                        t -> new EncryptedTable(
                                t.getQualifiedName(context),
                                t.getName(),
                                keyColumns(entity, t, dialect),
                                entity.getEntityName(),
                                aadEntity(entity),
                                new LinkedHashSet<>(),
                                new ArrayList<>()));
                known.entityNames().add(entity.getEntityName());
                String sqlName = found.column().getQuotedName(dialect);
                if (known.columns().stream().noneMatch(c -> c.sqlName().equals(sqlName))) {
                    known.columns()
                            .add(new EncryptedTable.Column(
                                    found.attribute().label(),
                                    sqlName,
                                    found.column().getName(),
                                    found.attribute().text(),
                                    found.scope(),
                                    found.bootAttribute().scopes(),
                                    found.legacy(dialect)));
                }
            }
        }
        return List.copyOf(tables.values());
    }

    /**
     * The columns of every blind index, by key group, as SQL names: what the check before a group's root key is made
     * looks at.
     */
    static Map<String, List<FieldCryptRuntime.IndexColumn>> indexColumnsByGroup(
            Metadata metadata, SessionFactoryImplementor factory, Map<String, IndexSettings> indexSettings) {
        var context = factory.getSqlStringGenerationContext();
        var dialect = factory.getJdbcServices().getDialect();
        Map<String, List<FieldCryptRuntime.IndexColumn>> byGroup = new LinkedHashMap<>();
        for (PersistentClass entity : metadata.getEntityBindings()) {
            List<Found> encrypted = encryptedProperties(entity);
            for (Property property : entity.getProperties()) {
                if (property.getValue() instanceof BasicValue value
                        && InstanceConverterDescriptor.of(value.getJpaAttributeConverterDescriptor())
                                instanceof IndexConverterDescriptor descriptor) {
                    IndexConverter converter = descriptor.converter();
                    Found source = encrypted.stream()
                            .filter(f -> !f.embedded() && f.path().get(0).equals(converter.sourceName()))
                            .findFirst()
                            .orElseThrow();
                    IndexSettings settings = indexSettings.get(converter.label());
                    for (IndexSettings.Definition definition :
                            new IndexSettings.Definition[] {settings.mapped(), settings.unmapped()}) {
                        if (definition == null) {
                            continue;
                        }
                        String table = value.getTable().getName();
                        byGroup.computeIfAbsent(definition.spec(table).keyGroup(), g -> new ArrayList<>())
                                .add(new FieldCryptRuntime.IndexColumn(
                                        converter.label(),
                                        value.getTable().getQualifiedName(context),
                                        new Column(definition.column()).getQuotedName(dialect),
                                        source.column().getQuotedName(dialect),
                                        source.attribute().text()));
                    }
                }
            }
        }
        return byGroup;
    }

    /**
     * Reads the blind index settings ({@link IndexSettings}) of every handle, and maps each handle to the column of
     * the definition queries use: the next one's during a rotation with {@code read=next}, or an overridden column.
     * Runs before the persisters are built, which is when Hibernate takes the column names.
     *
     * @return the settings of each handle, by {@code Entity.handle}
     * @throws ConfigurationException if a setting is wrong or names no handle
     */
    static Map<String, IndexSettings> applyIndexSettings(Metadata metadata, Map<String, Object> values) {
        Map<String, IndexSettings> byHandle = new LinkedHashMap<>();
        Map<Column, IndexSettings> applied = new java.util.IdentityHashMap<>();
        for (PersistentClass entity : metadata.getEntityBindings()) {
            for (Property property : entity.getProperties()) {
                if (property.getValue() instanceof BasicValue value
                        && InstanceConverterDescriptor.of(value.getJpaAttributeConverterDescriptor())
                                instanceof IndexConverterDescriptor descriptor) {
                    IndexConverter converter = descriptor.converter();
                    Column column = value.getColumns().get(0);
                    IndexSettings settings = applied.get(column);
                    if (settings == null) {
                        settings = IndexSettings.of(converter.label(), converter.annotated(column.getName()), values);
                        column.setName(settings.mapped().column());
                        applied.put(column, settings);
                    }
                    byHandle.put(converter.label(), settings);
                }
            }
        }
        IndexSettings.refuseUnknown(values, byHandle.keySet());
        return byHandle;
    }

    /**
     * Makes Hibernate read every encrypted column together with its row's key ({@link RowBoundRead}), on every path
     * that reads it through the mapping. Runs before the persisters are built, which is when Hibernate takes the
     * columns' read expressions.
     *
     * @throws ConfigurationException if a column already has a read expression ({@code @ColumnTransformer}) or a
     *     name that would corrupt the expression
     */
    static void installReadExpressions(Metadata metadata, Dialect dialect) {
        for (PersistentClass entity : metadata.getEntityBindings()) {
            for (Found found : encryptedProperties(entity)) {
                Column column = found.column();
                List<String> keyColumns = keyColumns(entity, found.value().getTable(), dialect);
                List<RowBoundRead.KeyKind> kinds = idKeyKinds(entity, metadata);
                if (kinds.size() != keyColumns.size()) {
                    throw new ConfigurationException("@Encrypted on "
                            + found.attribute().label() + ": the id of "
                            + aadEntity(entity) + " maps " + kinds.size() + " columns, but its table "
                            + found.value().getTable().getName() + " has " + keyColumns.size() + " key columns");
                }
                found.attribute().guard().expectKeyKinds(kinds);
                List<RowBoundRead.Key> keys = new ArrayList<>();
                for (int i = 0; i < keyColumns.size(); i++) {
                    keys.add(new RowBoundRead.Key(keyColumns.get(i), kinds.get(i)));
                }
                LegacyColumn legacy = found.legacy(dialect);
                if (legacy != null) {
                    checkLegacyColumn(entity, found, legacy);
                }
                String expression = RowBoundRead.expression(
                        column.getQuotedName(dialect),
                        keys,
                        found.attribute().text(),
                        found.embedded(),
                        legacy,
                        found.attribute().label());
                if (column.getCustomRead() == null) {
                    column.setCustomRead(expression);
                } else if (!column.getCustomRead().equals(expression)) {
                    throw new ConfigurationException(
                            "@Encrypted on " + found.attribute().label() + " cannot be"
                                    + " combined with a read expression on its column (@ColumnTransformer(read = ...)):"
                                    + " fieldcrypt reads the column itself; remove the @ColumnTransformer");
                }
            }
        }
    }

    /**
     * Refuses a legacy column ({@code @Encrypted(migrateFrom)}) that the mapping also writes, which a migration would
     * set to NULL under it: the attribute's own column (then the attribute needs a new one), or a column of any other
     * attribute of any entity in the table (a sibling in a single-table hierarchy, say). Refuses it in a secondary
     * table too, whose optional rows Hibernate writes with a statement that cannot read the legacy column.
     */
    private static void checkLegacyColumn(PersistentClass entity, Found found, LegacyColumn legacy) {
        String label = found.attribute().label();
        Table table = found.value().getTable();
        for (PersistentClass c = entity; c != null; c = c.getSuperclass()) {
            for (Join join : c.getJoins()) {
                if (join.getTable() == table) {
                    throw new ConfigurationException("@Encrypted(migrateFrom = ...) on " + label + ": its column is in"
                            + " the secondary table " + table.getName() + "; a migration from a legacy column is"
                            + " supported in the entity's own tables. Map the attribute in the primary table for the"
                            + " migration, or migrate in place (docs/MIGRATION.md)");
                }
            }
        }
        String wanted = unquoted(legacy.sqlName());
        for (Column mapped : table.getColumns()) {
            if (unquoted(mapped.getQuotedName()).equals(wanted)) {
                boolean own = mapped == found.column();
                throw new ConfigurationException("@Encrypted(migrateFrom = \""
                        + found.attribute().migrateFrom()
                        + "\") on " + label + ": " + table.getName() + "." + mapped.getName() + " is "
                        + (own
                                ? "the attribute's own column; it needs a new one, e.g. @Column(name = \""
                                        + mapped.getName() + "_enc\") (to encrypt a text column in place, remove"
                                        + " migrateFrom)"
                                : "mapped by an attribute, which would go on writing it; migrateFrom names the"
                                        + " column that held the plaintext, mapped by nothing any more"));
            }
        }
    }

    /** A column name as PostgreSQL knows it: a quoted one as written, an unquoted one in lower case. */
    private static String unquoted(String name) {
        return name.startsWith("\"") && name.endsWith("\"")
                ? name.substring(1, name.length() - 1)
                : name.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * How each column of the id travels in a keyed read, as the runtime's canonical id reads it: by the Java type of
     * each basic part (so a UUID in a {@code char(36)} column still travels as a UUID), through nested embeddables
     * part by part, and an association in the id (a derived identity) by its foreign key columns' JDBC types.
     */
    private static List<RowBoundRead.KeyKind> idKeyKinds(PersistentClass entity, Metadata metadata) {
        List<RowBoundRead.KeyKind> kinds = new ArrayList<>();
        addKeyKinds(entity.getIdentifier().getType(), metadata, kinds, aadEntity(entity));
        return kinds;
    }

    private static void addKeyKinds(Type type, Metadata metadata, List<RowBoundRead.KeyKind> kinds, String entity) {
        if (type instanceof CompositeType composite) {
            for (Type part : composite.getSubtypes()) {
                addKeyKinds(part, metadata, kinds, entity);
            }
        } else if (type.isAssociationType()) {
            for (int code : type.getSqlTypeCodes(metadata)) {
                kinds.add(RowBoundRead.KeyKind.ofSqlType(code));
            }
        } else {
            if (type.getReturnedClass() == String.class) {
                int code = type.getSqlTypeCodes(metadata)[0];
                if (code == org.hibernate.type.SqlTypes.CHAR || code == org.hibernate.type.SqlTypes.NCHAR) {
                    throw new ConfigurationException("the id of " + entity + " is a String in a fixed-length char(n)"
                            + " column, which cannot be bound into encrypted values: PostgreSQL returns it without the"
                            + " padding the application's id"
                            + " has, so the values of such rows could never be opened. Map the id column as varchar"
                            + " or text");
                }
            }
            kinds.add(RowBoundRead.KeyKind.of(type.getReturnedClass()));
        }
    }

    /** The key columns of {@code table}, in the order of the id's columns. */
    private static List<String> keyColumns(PersistentClass entity, Table table, Dialect dialect) {
        KeyValue key = entity.getRootTable() == table ? entity.getRootClass().getIdentifier() : null;
        for (PersistentClass c = entity; key == null && c != null; c = c.getSuperclass()) {
            if (c.getTable() == table) {
                key = c.getKey();
            }
            for (Join join : c.getJoins()) {
                if (join.getTable() == table) {
                    key = join.getKey();
                }
            }
        }
        if (key == null) {
            throw new ConfigurationException("cannot find the key columns of table " + table.getName());
        }
        List<String> names = new ArrayList<>();
        for (var selectable : key.getSelectables()) {
            names.add(((Column) selectable).getQuotedName(dialect));
        }
        return names;
    }

    /**
     * An {@code @Encrypted} property of an entity, with its mapping.
     *
     * @param path the property names from the entity to the attribute: one for an attribute of the entity, more for
     *     an attribute inside (nested) embeddables
     */
    private record Found(List<String> path, BasicValue value, EncryptedAttribute attribute) {

        Column column() {
            return value.getColumns().get(0);
        }

        boolean embedded() {
            return path.size() > 1;
        }

        /** @return the column it migrates from, or {@code null} */
        LegacyColumn legacy(Dialect dialect) {
            return attribute.migrateFrom() == null
                    ? null
                    : new LegacyColumn(
                            new Column(attribute.migrateFrom()).getQuotedName(dialect), attribute.javaType());
        }

        /** The data key scope: the annotation's, or {@code <table>.<column>}. */
        String scope() {
            return attribute.scope().isEmpty()
                    ? value.getTable().getName() + "." + column().getName()
                    : attribute.scope();
        }

        FieldCryptRuntime.BootAttribute bootAttribute() {
            return new FieldCryptRuntime.BootAttribute(
                    path, attribute, value.getTable().getName(), column().getName(), scope());
        }
    }

    /** The {@code @Encrypted} properties of {@code entity}, inherited ones and those inside embeddables included. */
    private static List<Found> encryptedProperties(PersistentClass entity) {
        List<Found> found = new ArrayList<>();
        for (Property property : entity.getPropertyClosure()) {
            collect(property, List.of(), found);
        }
        return found;
    }

    private static void collect(Property property, List<String> parent, List<Found> found) {
        List<String> path = new ArrayList<>(parent);
        path.add(property.getName());
        if (property.getValue() instanceof BasicValue value
                && InstanceConverterDescriptor.of(value.getJpaAttributeConverterDescriptor())
                        instanceof EncryptedConverterDescriptor d) {
            found.add(new Found(List.copyOf(path), value, d.attribute()));
        } else if (property.getValue() instanceof Component component) {
            for (Property nested : component.getProperties()) {
                collect(nested, path, found);
            }
        }
    }

    /**
     * Refuses {@code @Encrypted} attributes that no entity state carries, which fieldcrypt could therefore never seal:
     * inside an {@code @ElementCollection} of embeddables, or inside an embedded id.
     *
     * @throws ConfigurationException naming the first such attribute
     */
    static void checkEveryEncryptedAttributeIsReachable(Metadata metadata) {
        for (PersistentClass entity : metadata.getEntityBindings()) {
            if (entity.getIdentifier() instanceof Component id) {
                refuseEncryptedInside(id, "is part of the id of " + entity.getEntityName());
            }
        }
        for (var collection : metadata.getCollectionBindings()) {
            if (collection.getElement() instanceof Component element) {
                refuseEncryptedInside(element, "is inside the element collection " + collection.getRole());
            }
            if (collection instanceof org.hibernate.mapping.Map map && map.getIndex() instanceof Component key) {
                refuseEncryptedInside(key, "is inside the map key of " + collection.getRole());
            }
        }
    }

    private static void refuseEncryptedInside(Component component, String where) {
        List<Found> found = new ArrayList<>();
        for (Property property : component.getProperties()) {
            collect(property, List.of(), found);
        }
        if (!found.isEmpty()) {
            throw new ConfigurationException(
                    "@Encrypted on " + found.get(0).attribute().label() + " is not supported: it "
                            + where
                            + ", where fieldcrypt has no entity row to bind it to. Encrypt attributes of entities, or of"
                            + " embeddables embedded in entities");
        }
    }

    private static String aadEntity(PersistentClass entity) {
        PersistentClass root = entity.getRootClass();
        return root.getJpaEntityName() != null ? root.getJpaEntityName() : root.getEntityName();
    }

    /**
     * @param indexSettings the blind index settings by handle ({@link #applyIndexSettings}); a handle missing here has
     *     its mapping's definition
     */
    static List<FieldCryptRuntime.BootEntity> encryptedEntities(
            Metadata metadata, Map<String, IndexSettings> indexSettings) {
        List<FieldCryptRuntime.BootEntity> entities = new ArrayList<>();
        for (PersistentClass entity : metadata.getEntityBindings()) {
            List<Found> encrypted = encryptedProperties(entity);
            List<FieldCryptRuntime.BootAttribute> attributes = new ArrayList<>();
            for (Found found : encrypted) {
                attributes.add(found.bootAttribute());
            }
            List<FieldCryptRuntime.BootIndex> indexes = blindIndexes(entity, encrypted, indexSettings);
            if (!attributes.isEmpty()) {
                entities.add(new FieldCryptRuntime.BootEntity(
                        entity.getEntityName(), aadEntity(entity), attributes, indexes));
            }
        }
        return entities;
    }

    /**
     * The {@code @BlindIndex} handles of {@code entity}, each checked against its source: an {@code @Encrypted}
     * attribute of the entity itself, of the handle's Java type, a string for the text transforms.
     *
     * @throws ConfigurationException naming the handle and what to change
     */
    private static List<FieldCryptRuntime.BootIndex> blindIndexes(
            PersistentClass entity, List<Found> encrypted, Map<String, IndexSettings> indexSettings) {
        List<FieldCryptRuntime.BootIndex> indexes = new ArrayList<>();
        for (Property property : entity.getPropertyClosure()) {
            if (property.getValue() instanceof Component component) {
                refuseHandlesInside(component);
            }
            if (!(property.getValue() instanceof BasicValue value
                    && InstanceConverterDescriptor.of(value.getJpaAttributeConverterDescriptor())
                            instanceof IndexConverterDescriptor descriptor)) {
                continue;
            }
            IndexConverter converter = descriptor.converter();
            String label = converter.label();
            Found source = encrypted.stream()
                    .filter(f -> !f.embedded() && f.path().get(0).equals(converter.sourceName()))
                    .findFirst()
                    .orElseThrow(() -> BlindIndexBinder.refuse(
                            label,
                            "names source = \"" + converter.sourceName() + "\", which is not an @Encrypted attribute"
                                    + " of " + aadEntity(entity) + " itself (not inside an embeddable); name one"));
            if (!source.attribute().javaType().equals(descriptor.javaType())) {
                throw BlindIndexBinder.refuse(
                        label,
                        "is a " + descriptor.javaType().getSimpleName() + ", but its source "
                                + source.attribute().label() + " is a "
                                + source.attribute().javaType().getSimpleName() + "; declare the handle with the"
                                + " source's type");
            }
            Column column = value.getColumns().get(0);
            IndexSettings settings = indexSettings.get(label);
            if (settings == null) {
                settings = new IndexSettings(converter.annotated(column.getName()), null, false);
            }
            if (settings.mapped().bits() < IndexConverter.FULL_LENGTH_BITS && isUnique(value)) {
                throw BlindIndexBinder.refuse(
                        label,
                        "is unique but has " + settings.mapped().bits() + " bits: a truncated index gives distinct"
                                + " values equal hashes, which a unique constraint would reject. Use at least "
                                + IndexConverter.FULL_LENGTH_BITS + " bits for uniqueness");
            }
            for (IndexSettings.Definition definition :
                    new IndexSettings.Definition[] {settings.mapped(), settings.unmapped()}) {
                if (definition != null
                        && definition.transform() != io.fieldcrypt.hibernate.BlindIndex.Transform.NONE
                        && source.attribute().javaType() != String.class) {
                    throw BlindIndexBinder.refuse(
                            label,
                            "has transform = " + definition.transform() + ", which applies to strings only; use"
                                    + " NONE");
                }
            }
            if (value.getTable() != source.value().getTable()) {
                throw BlindIndexBinder.refuse(
                        label,
                        "is in table " + value.getTable().getName() + ", but its source "
                                + source.attribute().label()
                                + " is in " + source.value().getTable().getName() + "; put the handle's column in its"
                                + " source's table (@Column(table = ...))");
            }
            indexes.add(new FieldCryptRuntime.BootIndex(
                    property.getName(),
                    converter,
                    converter.sourceName(),
                    source.attribute().codec(),
                    value.getTable().getName(),
                    value.getTable(),
                    settings));
        }
        return indexes;
    }

    /** Whether the mapping makes {@code value}'s column unique, alone. */
    private static boolean isUnique(BasicValue value) {
        Column column = value.getColumns().get(0);
        if (column.isUnique()) {
            return true;
        }
        for (var key : value.getTable().getUniqueKeys().values()) {
            if (key.getColumns().size() == 1 && key.getColumns().get(0).equals(column)) {
                return true;
            }
        }
        return false;
    }

    private static void refuseHandlesInside(Component component) {
        for (Property nested : component.getProperties()) {
            if (nested.getValue() instanceof BasicValue value
                    && InstanceConverterDescriptor.of(value.getJpaAttributeConverterDescriptor())
                            instanceof IndexConverterDescriptor descriptor) {
                throw BlindIndexBinder.refuse(
                        descriptor.converter().label(),
                        "is inside an embeddable; declare the handle, and its source, on the entity itself");
            }
            if (nested.getValue() instanceof Component inner) {
                refuseHandlesInside(inner);
            }
        }
    }
}
