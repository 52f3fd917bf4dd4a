package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DataKeyStoreException;
import io.fieldcrypt.DataKeyStores;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.spi.DataKeyStore;
import io.fieldcrypt.spi.KeyProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything fieldcrypt holds for one session factory: the encryptor, the key provider, and the encrypted
 * attributes of each entity type. Checks the runtime model once the factory is built (refusing id types without a
 * canonical text, IDENTITY ids with encrypted attributes in several tables, and
 * {@code OptimisticLockType.ALL/DIRTY}), and wipes keys when it closes.
 */
public final class FieldCryptRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(FieldCryptRuntime.class);

    /**
     * An encrypted attribute as the boot model describes it.
     *
     * @param path the property names from the entity to the attribute (more than one inside embeddables)
     */
    record BootAttribute(List<String> path, EncryptedAttribute attribute, String table, String column, String scope) {

        /** @return whether it is inside an embeddable */
        boolean embedded() {
            return path.size() > 1;
        }

        /** @return the scopes whose data keys may open its values: the current one, then the previous ones */
        public Set<String> scopes() {
            Set<String> scopes = new LinkedHashSet<>();
            scopes.add(scope);
            scopes.addAll(attribute.previousScopes());
            return Collections.unmodifiableSet(scopes);
        }
    }

    /**
     * A blind index handle as the boot model describes it.
     *
     * @param handle the handle attribute's name
     * @param converter its converter
     * @param source the name of the encrypted attribute it finds
     * @param sourceCodec how the source's values are encoded
     * @param table the unqualified table of the handle's column (and of its source's), as bound into the key
     * @param mappedTable that table in the boot model, to find it by its qualified name once the factory is built
     * @param settings its definitions: the current one, and during a rotation the next one
     */
    record BootIndex(
            String handle,
            IndexConverter converter,
            String source,
            ValueCodec sourceCodec,
            String table,
            org.hibernate.mapping.Table mappedTable,
            IndexSettings settings) {

        /** @return the definition the handle's column follows, which queries use */
        IndexSettings.Definition mapped() {
            return settings.mapped();
        }

        /** @return during a rotation, the other definition, whose column fieldcrypt writes itself; else null */
        IndexSettings.Definition unmapped() {
            return settings.unmapped();
        }

        /** @return how the handle's values are hashed */
        IndexConverter.Hasher hasher(FieldEncryptor encryptor) {
            return hasher(encryptor, mapped());
        }

        IndexConverter.Hasher hasher(FieldEncryptor encryptor, IndexSettings.Definition definition) {
            return new IndexConverter.Hasher(encryptor, definition.spec(table), definition.transform(), sourceCodec);
        }
    }

    /**
     * A blind index column and its source's column (in the same table), as SQL names.
     *
     * @param label the handle's {@code Entity.attribute}, for messages and reports
     * @param sourceText whether the source column holds the text form of the envelope
     */
    record IndexColumn(String label, String sqlTable, String sqlColumn, String sourceColumn, boolean sourceText) {}

    /**
     * The encrypted attributes and blind indexes of one entity type at boot, and the entity name bound into their
     * values.
     */
    record BootEntity(String entityName, String aadEntity, List<BootAttribute> attributes, List<BootIndex> indexes) {}

    private final FieldEncryptor encryptor;
    private final KeyProvider keyProvider;
    private final boolean ownsKeyProvider;
    private final Settings settings;
    private final List<BootEntity> bootEntities;
    private final List<EncryptedTable> tables;
    private final ConnectionSource connections;
    private final Checkpoints checkpoints;
    private final List<IndexColumn> indexColumns;
    private volatile Map<String, EntityCrypto> entities = Map.of();
    private volatile Map<String, CanonicalId> canonicalIds = Map.of();
    private volatile SessionFactoryImplementor sessionFactory;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** What the guard converters were bound to, so they can be unbound when the factory closes. */
    private final Map<GuardConverter, GuardConverter.Reader> readers = new ConcurrentHashMap<>();
    /** What the blind index converters were bound to, likewise. */
    private final Map<IndexConverter, IndexConverter.Hasher> hashers = new ConcurrentHashMap<>();

    /**
     * Builds the runtime of one session factory from its settings: the key provider, the data key table and the
     * checkpoint table (created or validated as the schema mode says), and the encryptor, with master keys
     * resolved now. Errors name the setting to change.
     *
     * @throws ConfigurationException if a setting is wrong or a table does not match
     */
    static FieldCryptRuntime assemble(
            Settings settings,
            Map<String, Object> values,
            List<BootEntity> entities,
            List<EncryptedTable> tables,
            Map<String, List<IndexColumn>> indexColumns,
            ConnectionSource connections) {
        KeyProviderFactory.Provider provider = KeyProviderFactory.create(values, settings);
        try {
            DataKeyStore store;
            Checkpoints checkpoints;
            try {
                store = DataKeyStores.postgres(connections, settings.table(), settings.schemaMode());
                checkpoints = Checkpoints.open(connections, settings.table(), settings.schemaMode());
            } catch (ConfigurationException e) {
                throw new ConfigurationException(
                        FieldCryptSettings.SCHEMA + "="
                                + settings.schemaMode().name().toLowerCase(Locale.ROOT) + ", "
                                + FieldCryptSettings.DATA_KEY_TABLE + "=" + settings.table() + ": " + e.getMessage(),
                        e);
            }
            FieldEncryptor encryptor;
            try {
                encryptor = FieldEncryptor.builder()
                        .keyProvider(provider.provider())
                        .keyProviderListener(KeyProviderFactory.listener(values))
                        .masterKeyId(settings.masterKeyId())
                        .trustedMasterKeyIds(provider.trustedKeyIds())
                        .dataKeyStore(store)
                        .maxAge(settings.maxAge())
                        .maxUses(settings.maxUses())
                        .acceptVersion1(settings.acceptVersion1())
                        .beforeMakingBlindIndexRoot(group -> refuseLostRootKey(
                                group, indexColumns.getOrDefault(group, List.of()), connections, settings.table()))
                        .build();
            } catch (KeyProviderException e) {
                throw new ConfigurationException(
                        FieldCryptSettings.KMS_KEY_ID + " or "
                                + FieldCryptSettings.KMS_TRUSTED_KEY_IDS + " names a master key that cannot be used ("
                                + e.reason() + "): " + e.getMessage(),
                        e);
            }
            return new FieldCryptRuntime(
                    encryptor,
                    provider.provider(),
                    provider.owned(),
                    settings,
                    entities,
                    tables,
                    indexColumns.values().stream().flatMap(List::stream).toList(),
                    connections,
                    checkpoints);
        } catch (RuntimeException e) {
            if (provider.owned()) {
                provider.provider().close();
            }
            throw e;
        }
    }

    /**
     * Before a key group's root key is made: if one of its index columns already holds values, they were made under a
     * root key that is gone (a data key table restored or replaced), and a new key would silently never match them.
     */
    private static void refuseLostRootKey(
            String group, List<IndexColumn> columns, ConnectionSource connections, String dataKeyTable) {
        for (IndexColumn column : columns) {
            boolean hasValues = connections.inTransaction(
                    "check the blind index column " + column.sqlTable() + "." + column.sqlColumn() + " in",
                    DataKeyStoreException::new,
                    connection -> {
                        try (var statement = connection.prepareStatement("select exists (select 1 from "
                                        + column.sqlTable() + " where " + column.sqlColumn() + " is not null)");
                                var rs = statement.executeQuery()) {
                            rs.next();
                            return rs.getBoolean(1);
                        }
                    });
            if (hasValues) {
                throw new ConfigurationException("@BlindIndex " + column.label() + ": the data key table "
                        + dataKeyTable + " has no root key for key group " + group + " (scope fieldcrypt:blind-index:"
                        + group + "), but " + column.sqlTable() + "." + column.sqlColumn() + " holds index values made"
                        + " under another, which a new key would never match. If the index's transform, length or key"
                        + " group changed, move it to a new column instead (docs/OPERATIONS.md, \"Rotate a blind"
                        + " index\"); if the data key table was restored or replaced, restore that row; to start the"
                        + " index over, set the column to NULL and rebuild it through a rotation");
            }
        }
    }

    private FieldCryptRuntime(
            FieldEncryptor encryptor,
            KeyProvider keyProvider,
            boolean ownsKeyProvider,
            Settings settings,
            List<BootEntity> bootEntities,
            List<EncryptedTable> tables,
            List<IndexColumn> indexColumns,
            ConnectionSource connections,
            Checkpoints checkpoints) {
        this.indexColumns = List.copyOf(indexColumns);
        this.encryptor = encryptor;
        this.keyProvider = keyProvider;
        this.ownsKeyProvider = ownsKeyProvider;
        this.settings = settings;
        this.bootEntities = List.copyOf(bootEntities);
        this.tables = List.copyOf(tables);
        this.connections = connections;
        this.checkpoints = checkpoints;
    }

    /** @return the jobs' checkpoint table */
    Checkpoints checkpoints() {
        return checkpoints;
    }

    /**
     * Opens a value read by native SQL. See {@link io.fieldcrypt.hibernate.FieldCrypt#open}.
     *
     * @throws IllegalArgumentException if {@code entityClass} is not an entity of this factory or {@code attribute}
     *     not one of its encrypted attributes
     */
    public Object open(Class<?> entityClass, String attribute, Object id, Object stored) {
        EntityPersister persister;
        try {
            persister = sessionFactory.getMappingMetamodel().getEntityDescriptor(entityClass);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(entityClass.getName() + " is not an entity of this factory", e);
        }
        EntityCrypto crypto = entity(persister);
        if (crypto == null) {
            throw new IllegalArgumentException(persister.getEntityName() + " has no @Encrypted attribute");
        }
        try (SessionImplementor session = sessionFactory.openSession()) {
            return crypto.openStored(attribute, id, stored, persister, session);
        }
    }

    /** @return the encrypted attributes of {@code persister}'s entity, or {@code null} if it has none */
    EntityCrypto entity(EntityPersister persister) {
        return entities.get(persister.getEntityName());
    }

    /** @return the session factory, once built */
    SessionFactoryImplementor sessionFactory() {
        return sessionFactory;
    }

    /** @return the encryptor */
    public FieldEncryptor encryptor() {
        return encryptor;
    }

    /** @return the configured maximum age of a data key used for encryption */
    public java.time.Duration maxAge() {
        return settings.maxAge();
    }

    /** @return the settings the factory was built with */
    Settings settings() {
        return settings;
    }

    /** @return every blind index column of this factory */
    List<IndexColumn> indexColumns() {
        return indexColumns;
    }

    /** @return the tables with encrypted columns */
    List<EncryptedTable> tables() {
        return tables;
    }

    /** @return every scope an encrypted attribute of this factory uses or still reads (its previous scopes) */
    public Set<String> scopes() {
        Set<String> scopes = new TreeSet<>();
        for (BootEntity entity : bootEntities) {
            for (BootAttribute attribute : entity.attributes()) {
                scopes.addAll(attribute.scopes());
            }
        }
        return Collections.unmodifiableSet(scopes);
    }

    /**
     * @return the data key table scopes of the root keys of this factory's blind index key groups; kept apart from
     *     {@link #scopes()}, since a root key is rewrapped like a data key but never rotated, re-encrypted or destroyed
     */
    public Set<String> blindIndexRootScopes() {
        Set<String> scopes = new TreeSet<>();
        for (BootEntity entity : bootEntities) {
            for (BootIndex index : entity.indexes()) {
                scopes.add(index.mapped().spec(index.table()).rootScope());
                if (index.unmapped() != null) {
                    scopes.add(index.unmapped().spec(index.table()).rootScope());
                }
            }
        }
        return Collections.unmodifiableSet(scopes);
    }

    /** @return how the ids of {@code entityName} (an entity with encrypted attributes) become canonical text */
    CanonicalId canonicalId(String entityName) {
        return canonicalIds.get(entityName);
    }

    /** @return where the maintenance jobs get their connections */
    ConnectionSource connections() {
        return connections;
    }

    /**
     * @param service the service that keeps this runtime
     * @return what resolves the runtime model once the factory is built, and closes the runtime (and removes it
     *     from {@code service}) when the factory closes
     */
    SessionFactoryObserver observer(FieldCryptService service) {
        return new SessionFactoryObserver() {
            @Override
            public void sessionFactoryCreated(SessionFactory factory) {
                resolve((SessionFactoryImplementor) factory);
            }

            @Override
            public void sessionFactoryClosed(SessionFactory factory) {
                service.forget((SessionFactoryImplementor) factory);
            }
        };
    }

    private void resolve(SessionFactoryImplementor factory) {
        sessionFactory = factory;
        Map<String, EntityCrypto> resolved = new HashMap<>();
        Map<String, CanonicalId> ids = new HashMap<>();
        var options = factory.getSessionFactoryOptions();
        boolean caches = options.isSecondLevelCacheEnabled() || options.isQueryCacheEnabled();
        for (BootEntity boot : bootEntities) {
            EntityPersister persister = sessionFactory.getMappingMetamodel().getEntityDescriptor(boot.entityName());
            check(boot, persister);
            CanonicalId canonicalId = CanonicalId.forEntity(
                    persister, boot.attributes().get(0).attribute().label());
            ids.put(boot.entityName(), canonicalId);
            List<EntityCrypto.Slot> slots = new ArrayList<>();
            for (BootAttribute attribute : boot.attributes()) {
                slots.add(new EntityCrypto.Slot(
                        String.join(".", attribute.path()),
                        persister.getPropertyIndex(attribute.path().get(0)),
                        EntityCrypto.Slot.componentPath(persister, attribute.path()),
                        attribute.attribute(),
                        attribute.table(),
                        attribute.column(),
                        attribute.scope(),
                        attribute.scopes(),
                        legacy(boot, attribute)));
            }
            IdentityInsert identity =
                    persister.getGenerator() != null && persister.getGenerator().generatedOnExecution()
                            ? identityInsert(boot)
                            : null;
            List<EntityCrypto.IndexSlot> indexSlots = new ArrayList<>();
            for (BootIndex index : boot.indexes()) {
                IndexConverter.Hasher hasher = index.hasher(encryptor);
                index.converter().bind(hasher);
                hashers.putIfAbsent(index.converter(), hasher);
                indexSlots.add(new EntityCrypto.IndexSlot(
                        persister.getPropertyIndex(index.handle()),
                        persister.getPropertyIndex(index.source()),
                        columnWriter(index, index.mapped()),
                        index.unmapped() == null ? null : columnWriter(index, index.unmapped())));
            }
            EntityCrypto crypto = new EntityCrypto(
                    boot.aadEntity(),
                    canonicalId,
                    slots.toArray(EntityCrypto.Slot[]::new),
                    indexSlots.toArray(EntityCrypto.IndexSlot[]::new),
                    encryptor,
                    identity);
            for (EntityCrypto.Slot slot : crypto.slots()) {
                GuardConverter.Reader reader = crypto.reader(slot);
                slot.attribute().guard().bind(reader);
                readers.putIfAbsent(slot.attribute().guard(), reader);
                if (caches) {
                    slot.attribute().plan().rememberOpened();
                }
            }
            resolved.put(boot.entityName(), crypto);
            LOG.info(
                    "fieldcrypt encrypts {} attribute(s) of {}: {}",
                    slots.size(),
                    boot.aadEntity(),
                    slots.stream().map(s -> s.attribute().label()).toList());
        }
        entities = Map.copyOf(resolved);
        refuseUnknownReadPlaintext();
        checkLegacyColumns();
        refuseLeftoverPlaintext();
        loadBlindIndexKeys();
        canonicalIds = Map.copyOf(ids);
    }

    /**
     * A blind index being rotated, as the rebuild job needs it.
     *
     * @param label the handle, {@code Entity.handle}
     * @param table the table of the index and its source
     * @param source the source's column
     * @param nextColumn the column to fill, ready for SQL
     * @param next how its values are hashed
     * @param legacyPlaintext whether the source is being migrated, so that a value without the envelope marker is
     *     its legacy plaintext
     */
    public record RotatingIndex(
            String label,
            EncryptedTable table,
            EncryptedTable.Column source,
            String nextColumn,
            IndexConverter.Hasher next,
            boolean legacyPlaintext) {}

    /** @return the blind indexes being rotated (with a next definition), once each */
    public List<RotatingIndex> rotatingIndexes() {
        List<RotatingIndex> rotating = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (BootEntity entity : bootEntities) {
            for (BootIndex index : entity.indexes()) {
                IndexSettings.Definition next = index.settings().next();
                if (next == null) {
                    continue;
                }
                EncryptedTable table = tableOf(index);
                if (!seen.add(table.sqlName() + "." + next.column())) {
                    continue;
                }
                EncryptedTable.Column source = sourceColumn(entity, index, table);
                rotating.add(new RotatingIndex(
                        index.converter().label(),
                        table,
                        source,
                        quoted(next.column()),
                        index.hasher(encryptor, next),
                        migrating(entity, index.source())));
            }
        }
        return rotating;
    }

    /** The table of {@code index}, by its qualified name: two mapped tables may share a name in two schemas. */
    /**
     * @return the blind indexes over attributes being migrated from plaintext, their columns as queries use them: what
     *     the backfill before {@code encryptExisting} fills
     */
    public List<RotatingIndex> migratingIndexes() {
        List<RotatingIndex> filling = new ArrayList<>();
        for (BootEntity entity : bootEntities) {
            for (BootIndex index : entity.indexes()) {
                if (!migrating(entity, index.source())) {
                    continue;
                }
                EncryptedTable table = tableOf(index);
                EncryptedTable.Column source = sourceColumn(entity, index, table);
                filling.add(new RotatingIndex(
                        index.converter().label(),
                        table,
                        source,
                        quoted(index.mapped().column()),
                        index.hasher(encryptor, index.mapped()),
                        true));
            }
        }
        return filling;
    }

    /** @return whether {@code attribute} of {@code entity} reads legacy plaintext (a migration) */
    private boolean migrating(BootEntity entity, String attribute) {
        EntityCrypto crypto = entities.get(entity.entityName());
        return crypto != null
                && crypto.slots().stream()
                        .anyMatch(slot ->
                                slot.name().equals(attribute) && slot.legacy().readPlaintext());
    }

    /** The column of the encrypted attribute {@code index} finds, in its table. */
    private static EncryptedTable.Column sourceColumn(BootEntity entity, BootIndex index, EncryptedTable table) {
        String column = entity.attributes().stream()
                .filter(a -> !a.embedded() && a.path().get(0).equals(index.source()))
                .findFirst()
                .orElseThrow()
                .column();
        return table.columns().stream()
                .filter(c -> c.aadColumn().equals(column))
                .findFirst()
                .orElseThrow();
    }

    private EncryptedTable tableOf(BootIndex index) {
        String qualified = index.mappedTable().getQualifiedName(sessionFactory.getSqlStringGenerationContext());
        return tables.stream()
                .filter(t -> t.sqlName().equals(qualified))
                .findFirst()
                .orElseThrow();
    }

    private String quoted(String column) {
        return new org.hibernate.mapping.Column(column)
                .getQuotedName(sessionFactory.getJdbcServices().getDialect());
    }

    /** How {@code attribute} treats its legacy plaintext values: per {@link Settings#readPlaintext}. */
    private EntityCrypto.Slot.Legacy legacy(BootEntity boot, BootAttribute attribute) {
        Set<String> listed = settings.readPlaintext();
        String label = attribute.attribute().label();
        boolean migrateFrom = attribute.attribute().migrateFrom() != null;
        boolean inPlace = !attribute.embedded()
                && attribute.attribute().text()
                && attribute.attribute().javaType() == String.class;
        if (listed.contains(label) && !migrateFrom && !inPlace) {
            throw new ConfigurationException(FieldCryptSettings.MIGRATION_READ_PLAINTEXT + " lists " + label + ", but"
                    + " legacy plaintext is read either from a column the attribute migrates from"
                    + " (@Encrypted(migrateFrom = \"<legacy column>\")), or in place, from a String attribute of the"
                    + " entity itself stored as text (@Encrypted(storage = Encrypted.Storage.TEXT)) on the column that"
                    + " held it; see docs/MIGRATION.md");
        }
        boolean migrating = (listed.contains("*") || listed.contains(label)) && (migrateFrom || inPlace);
        EncryptedTable table = tables.stream()
                .filter(t -> t.entityNames().contains(boot.entityName())
                        && t.aadTable().equals(attribute.table()))
                .findFirst()
                .orElse(null);
        EncryptedTable.Column column = table == null
                ? null
                : table.columns().stream()
                        .filter(c -> c.aadColumn().equals(attribute.column()))
                        .findFirst()
                        .orElse(null);
        boolean countable = column != null && column.plaintextLeftSql() != null;
        EntityCrypto.Slot.Clear clear = null;
        if (migrating && column != null && column.legacy() != null) {
            String update =
                    "update " + table.sqlName() + " set " + column.legacy().sqlName() + " = null where "
                            + column.legacy().sqlName() + " is not null and " + column.sqlName();
            String byKey = " and " + String.join(" = ? and ", table.keyColumns()) + " = ?";
            String what = "setting the column " + label + " migrates from to NULL";
            clear = new EntityCrypto.Slot.Clear(
                    new RowUpdate(update + " = ?" + byKey, what),
                    new RowUpdate(update + " is null" + byKey, what),
                    new RowUpdate(update + " is not null" + byKey, what));
        }
        return new EntityCrypto.Slot.Legacy(
                migrating,
                new java.util.concurrent.atomic.LongAdder(),
                () -> countable ? countPlaintextLeft(table, column, Long.MAX_VALUE) : 0,
                () -> countable ? countPlaintextLeft(table, column, 1000) : 0,
                column == null ? null : column.legacy(),
                clear);
    }

    /**
     * @param limit the most values to count (the count stops there), or {@code Long.MAX_VALUE}
     * @return how many values of {@code column} are legacy plaintext ({@link EncryptedTable.Column#plaintextLeftSql})
     */
    private long countPlaintextLeft(EncryptedTable table, EncryptedTable.Column column, long limit) {
        String left = "select 1 from " + table.sqlName() + " where " + column.plaintextLeftSql();
        String sql = limit == Long.MAX_VALUE
                ? "select count(*) from (" + left + ") x"
                : "select count(*) from (" + left + " limit " + limit + ") x";
        return Jdbc.inTransaction(connections, "count the plaintext values of " + column.label() + " in", c -> {
            if (limit != Long.MAX_VALUE) {
                // The boot-time check is bounded in time as well as in rows.
                try (var timeout = c.createStatement()) {
                    timeout.execute("set local statement_timeout = 10000");
                }
            }
            try (var st = c.prepareStatement(sql);
                    var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * An attribute being migrated (in place or from a legacy column), as the encrypt-existing job needs it.
     *
     * @param label {@code Entity.attribute}
     * @param table its table
     * @param column its (text) column
     * @param indexes the blind index columns over it, ready for SQL, with how their values are hashed
     * @param codec how its values become plaintext bytes
     */
    record MigratingColumn(
            String label,
            EncryptedTable table,
            EncryptedTable.Column column,
            Map<String, IndexConverter.Hasher> indexes,
            ValueCodec codec) {}

    /** @return the attributes listed in {@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT}, once per column */
    List<MigratingColumn> migratingColumns() {
        List<MigratingColumn> migrating = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (BootEntity entity : bootEntities) {
            EntityCrypto crypto = entities.get(entity.entityName());
            for (EntityCrypto.Slot slot : crypto.slots()) {
                if (!slot.legacy().readPlaintext() || slot.embedded()) {
                    continue;
                }
                EncryptedTable table = tables.stream()
                        .filter(t -> t.entityNames().contains(entity.entityName())
                                && t.aadTable().equals(slot.table()))
                        .findFirst()
                        .orElseThrow();
                if (!seen.add(table.sqlName() + "." + slot.column())) {
                    continue;
                }
                EncryptedTable.Column column = table.columns().stream()
                        .filter(c -> c.aadColumn().equals(slot.column()))
                        .findFirst()
                        .orElseThrow();
                Map<String, IndexConverter.Hasher> indexes = new java.util.LinkedHashMap<>();
                for (BootIndex index : entity.indexes()) {
                    if (index.source().equals(slot.name())) {
                        indexes.put(quoted(index.mapped().column()), index.hasher(encryptor, index.mapped()));
                        if (index.unmapped() != null) {
                            indexes.put(quoted(index.unmapped().column()), index.hasher(encryptor, index.unmapped()));
                        }
                    }
                }
                migrating.add(new MigratingColumn(
                        slot.attribute().label(),
                        table,
                        column,
                        indexes,
                        slot.attribute().codec()));
            }
        }
        return migrating;
    }

    /** @return for each attribute being migrated, how many of its stored values are still plaintext */
    public Map<String, Long> plaintextValues() {
        Map<String, Long> remaining = new java.util.TreeMap<>();
        entities.values()
                .forEach(crypto -> crypto.slots().forEach(slot -> {
                    if (slot.legacy().readPlaintext()) {
                        remaining.merge(
                                slot.attribute().label(),
                                slot.legacy().unmarked().getAsLong(),
                                (a, b) -> a);
                    }
                }));
        return remaining;
    }

    /**
     * Refuses to boot while a strict text attribute (not listed in
     * {@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT}) still has stored values without the envelope marker:
     * each would fail to load. The count stops at 1,000 values, and a check that takes longer than the statement
     * timeout of 10 seconds is skipped with a warning (the values still fail when loaded).
     */
    private void refuseLeftoverPlaintext() {
        for (EncryptedTable table : tables) {
            for (EncryptedTable.Column column : table.columns()) {
                boolean migrating = entities.values().stream()
                        .flatMap(crypto -> crypto.slots().stream())
                        .anyMatch(slot -> slot.attribute().label().equals(column.label())
                                && slot.legacy().readPlaintext());
                if (column.plaintextLeftSql() == null || migrating) {
                    continue;
                }
                long left;
                try {
                    left = countPlaintextLeft(table, column, 1000);
                } catch (RuntimeException e) {
                    LOG.warn("could not check {} for legacy plaintext values: {}", column.label(), e.getMessage());
                    continue;
                }
                if (left == 0) {
                    continue;
                }
                String count = left >= 1000 ? "at least 1000" : Long.toString(left);
                String keep = " Keep " + FieldCryptSettings.MIGRATION_READ_PLAINTEXT + "=" + column.label() + " until"
                        + " FieldCrypt.status() reports none left";
                if (column.legacy() != null) {
                    throw new ConfigurationException(column.label() + " is strict, but the column it migrates from, "
                            + table.sqlName() + "." + column.legacy().sqlName() + ", holds " + count + " value(s):"
                            + " plaintext not yet sealed into " + column.sqlName() + " (FieldCrypt.encryptExisting()"
                            + " seals them)." + keep);
                }
                throw new ConfigurationException(column.label() + " is strict, but " + table.sqlName() + "."
                        + column.sqlName() + " holds " + count + " value(s) without the envelope marker ("
                        + io.fieldcrypt.Envelope.TEXT_PREFIX + "), which would fail to load (an empty string counts"
                        + " too): plaintext from before the column was encrypted?" + keep);
            }
        }
    }

    /**
     * Checks, for every attribute that migrates from a legacy column, that the column exists, may be set to NULL
     * (writes do that), and has a type fieldcrypt reads as the attribute's type. A database that cannot be reached
     * is left to the first query, with a warning.
     */
    private void checkLegacyColumns() {
        for (EncryptedTable table : tables) {
            for (EncryptedTable.Column column : table.columns()) {
                LegacyColumn legacy = column.legacy();
                if (legacy == null) {
                    continue;
                }
                String problem;
                try {
                    problem = Jdbc.inTransaction(connections, "check the legacy column of " + column.label(), c -> {
                        try (var st = c.prepareStatement(
                                        "select " + legacy.sqlName() + " from " + table.sqlName() + " where false");
                                var rs = st.executeQuery()) {
                            var meta = rs.getMetaData();
                            String type = meta.getColumnTypeName(1);
                            if (legacy.temporal() && c.getMetaData().getDatabaseMajorVersion() < 14) {
                                return "is read through extract(epoch ...), which is exact to the microsecond from"
                                        + " PostgreSQL 14; this server is older. Migrate on PostgreSQL 14 or later";
                            }
                            if (!legacy.accepts(type)) {
                                return "has type " + type + ", which fieldcrypt does not read as a "
                                        + legacy.javaType().getSimpleName() + " (expected one of "
                                        + new TreeSet<>(legacy.expectedTypes()) + ")";
                            }
                            if (meta.isNullable(1) == java.sql.ResultSetMetaData.columnNoNulls) {
                                return "is NOT NULL, but writes set it to NULL. Allow NULL (metadata-only in"
                                        + " PostgreSQL): alter table " + table.sqlName() + " alter column "
                                        + legacy.sqlName() + " drop not null";
                            }
                            return null;
                        } catch (java.sql.SQLException e) {
                            if ("42703".equals(e.getSQLState()) || "42P01".equals(e.getSQLState())) {
                                return "does not exist; migrateFrom names the column of " + table.sqlName()
                                        + " that holds the plaintext";
                            }
                            throw e;
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.warn(
                            "could not check {}, the column {} migrates from: {}",
                            legacy.sqlName(),
                            column.label(),
                            e.getMessage());
                    continue;
                }
                if (problem != null) {
                    throw new ConfigurationException("@Encrypted(migrateFrom = ...) on " + column.label() + ": the"
                            + " column " + table.sqlName() + "." + legacy.sqlName() + " " + problem);
                }
            }
        }
    }

    /** Refuses {@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT} entries that name no encrypted attribute. */
    private void refuseUnknownReadPlaintext() {
        Set<String> labels = new TreeSet<>();
        entities.values()
                .forEach(crypto -> crypto.slots()
                        .forEach(slot -> labels.add(slot.attribute().label())));
        for (String listed : settings.readPlaintext()) {
            if (!listed.equals("*") && !labels.contains(listed)) {
                throw new ConfigurationException(FieldCryptSettings.MIGRATION_READ_PLAINTEXT + " lists " + listed
                        + ", which is no @Encrypted attribute of this factory; name them as Entity.attribute: "
                        + labels);
            }
        }
    }

    /** @return per blind index handle ({@code Entity.handle}), how many lookups hashed a value for it */
    public Map<String, Long> blindIndexLookups() {
        Map<String, Long> lookups = new java.util.TreeMap<>();
        hashers.keySet().forEach(converter -> lookups.merge(converter.label(), converter.lookups(), Long::sum));
        return lookups;
    }

    /**
     * Reads at most one row of the data key table.
     *
     * @throws io.fieldcrypt.FieldCryptException if it cannot be read
     */
    public void checkDataKeyTable() {
        Jdbc.inTransaction(connections, "read the data key table", c -> {
            try (var st = c.prepareStatement("select 1 from " + settings.table() + " limit 1");
                    var rs = st.executeQuery()) {
                return rs.next();
            }
        });
    }

    /** @return per encrypted attribute ({@code Entity.attribute}), how many legacy plaintext values were read */
    public Map<String, Long> plaintextReads() {
        Map<String, Long> reads = new java.util.TreeMap<>();
        entities.values()
                .forEach(crypto -> crypto.slots().forEach(slot -> {
                    if (slot.legacy().readPlaintext()) {
                        reads.merge(
                                slot.attribute().label(), slot.legacy().reads().sum(), Long::sum);
                    }
                }));
        return reads;
    }

    /**
     * Loads (or makes) the key of every blind index now, while the factory is built: a root key row that cannot be
     * trusted, or one lost while its index holds values, fails the boot with its reason; and the first queries do not
     * each need a second and third pooled connection for it. If the key provider or the data key table cannot be
     * reached, the keys are loaded at first use instead.
     */
    private void loadBlindIndexKeys() {
        java.util.Set<io.fieldcrypt.BlindIndexSpec> specs = new java.util.LinkedHashSet<>();
        for (BootEntity entity : bootEntities) {
            for (BootIndex index : entity.indexes()) {
                specs.add(index.mapped().spec(index.table()));
                if (index.unmapped() != null) {
                    specs.add(index.unmapped().spec(index.table()));
                }
            }
        }
        for (io.fieldcrypt.BlindIndexSpec spec : specs) {
            try {
                encryptor.blindIndex(spec, new byte[0]);
            } catch (KeyProviderException | io.fieldcrypt.DataKeyStoreException e) {
                LOG.warn(
                        "the key of blind index group {} could not be loaded while the factory was built ({}); it is"
                                + " loaded at first use",
                        spec.keyGroup(),
                        e.getMessage());
            }
        }
    }

    /** What writes the column of one definition of {@code index} by an UPDATE of its own. */
    private IndexColumnWriter columnWriter(BootIndex index, IndexSettings.Definition definition) {
        EncryptedTable table = tableOf(index);
        return IndexColumnWriter.of(
                table.sqlName(),
                table.keyColumns(),
                quoted(definition.column()),
                index.hasher(encryptor, definition),
                index.converter().label());
    }

    /**
     * The UPDATE that seals an IDENTITY entity's values for its generated id. Supported when every encrypted
     * attribute is in one table keyed by the id alone; otherwise refused, naming what to use instead.
     */
    private IdentityInsert identityInsert(BootEntity boot) {
        BootAttribute first = boot.attributes().get(0);
        EncryptedTable table = tables.stream()
                .filter(t -> t.aadTable().equals(first.table()))
                .findFirst()
                .orElse(null);
        BootAttribute embedded = boot.attributes().stream()
                .filter(BootAttribute::embedded)
                .findFirst()
                .orElse(null);
        if (embedded != null) {
            throw new ConfigurationException("@Encrypted on "
                    + embedded.attribute().label() + ": " + boot.aadEntity()
                    + " gets its id from an IDENTITY column, and encrypted attributes inside an @Embeddable are not"
                    + " supported with IDENTITY ids yet. Use a sequence for the id: a bigserial column already has one,"
                    + " so map it with @GeneratedValue(strategy = GenerationType.SEQUENCE) and"
                    + " @SequenceGenerator(sequenceName = \"" + first.table() + "_id_seq\", allocationSize = 1)");
        }
        boolean oneTable = boot.attributes().stream().allMatch(a -> a.table().equals(first.table()));
        if (table == null || !oneTable || table.keyColumns().size() != 1) {
            throw new ConfigurationException(
                    "@Encrypted on " + first.attribute().label() + ": " + boot.aadEntity()
                            + " gets its id from an IDENTITY column and has encrypted attributes in more than one table"
                            + " (inheritance or @SecondaryTable); fieldcrypt seals such values for the generated id with one"
                            + " UPDATE of one table. Use a sequence for the id: a bigserial column already has one, so map"
                            + " it with @GeneratedValue(strategy = GenerationType.SEQUENCE) and @SequenceGenerator(sequenceName"
                            + " = \"" + first.table() + "_id_seq\", allocationSize = 1)");
        }
        List<String> columns = new ArrayList<>();
        for (BootAttribute attribute : boot.attributes()) {
            columns.add(table.columns().stream()
                    .filter(c -> c.aadColumn().equals(attribute.column()))
                    .findFirst()
                    .orElseThrow()
                    .sqlName());
        }
        return IdentityInsert.of(table.sqlName(), table.keyColumns().get(0), columns);
    }

    private static void check(BootEntity boot, EntityPersister persister) {
        String entity = boot.aadEntity();
        String label = boot.attributes().get(0).attribute().label();
        if (persister.canUseReferenceCacheEntries()) {
            throw new ConfigurationException("@Encrypted on " + label + " cannot be used with"
                    + " hibernate.cache.use_reference_entries on the immutable entity " + entity + ": the second-level"
                    + " cache would hold the entity itself, with its plaintext; turn reference entries off");
        }
        if (persister.optimisticLockStyle().isAllOrDirty()) {
            throw new ConfigurationException("@Encrypted on " + label + " cannot be used with "
                    + "OptimisticLockType." + persister.optimisticLockStyle() + " on " + entity + ", which compares"
                    + " old values in the UPDATE's WHERE clause; use a @Version attribute instead");
        }
    }

    /** Drops the second-level cache entries of encrypted entities, after their rows changed behind Hibernate. */
    void evictSecondLevelCache() {
        for (BootEntity entity : bootEntities) {
            sessionFactory.getCache().evictEntityData(entity.entityName());
        }
    }

    /** Wipes the cached keys and closes the key provider if fieldcrypt made it; once. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            readers.forEach(GuardConverter::unbind);
            hashers.forEach(IndexConverter::unbind);
            encryptor.close();
            if (ownsKeyProvider) {
                keyProvider.close();
            }
        }
    }
}
