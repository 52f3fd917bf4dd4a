package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DataKeyStores;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.spi.DataKeyStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.dialect.Dialect;
import org.hibernate.mapping.BasicValue;
import org.hibernate.mapping.Column;
import org.hibernate.mapping.Join;
import org.hibernate.mapping.KeyValue;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;
import org.hibernate.mapping.Table;

/**
 * Registers fieldcrypt with every session factory that has {@code @Encrypted} attributes (found through
 * {@code META-INF/services}): reads the settings, opens the data key table, and registers the listeners once.
 * A factory without encrypted attributes is left exactly as it was.
 */
public final class FieldCryptIntegrator implements Integrator {


    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext,
            SessionFactoryImplementor sessionFactory) {
        List<FieldCryptRuntime.BootEntity> entities = encryptedEntities(metadata);
        Map<String, Object> values = bootstrapContext.getServiceRegistry()
                .requireService(ConfigurationService.class).getSettings();
        if (!Settings.enabled(values)) {
            if (!entities.isEmpty()) {
                throw new ConfigurationException(FieldCryptSettings.ENABLED + " is false, but "
                        + entities.get(0).attributes().get(0).attribute().label() + " is @Encrypted: remove the"
                        + " annotations or enable fieldcrypt; encrypted attributes are never written in plain");
            }
            return;
        }
        EventListenerRegistry registry = sessionFactory.getEventListenerRegistry();
        if (entities.isEmpty() || alreadyRegistered(registry)) {
            return;
        }
        Settings settings = Settings.parse(values);
        Settings.Provider provider = Settings.keyProvider(values, settings);
        try {
            DataKeyStore store = DataKeyStores.postgres(connections(sessionFactory), settings.table(),
                    settings.schemaMode());
            FieldEncryptor encryptor = encryptor(settings, provider, store);
            FieldCryptRuntime runtime = new FieldCryptRuntime(encryptor, provider.provider(), provider.owned(),
                    settings, entities, encryptedTables(metadata, sessionFactory), connections(sessionFactory));
            register(registry, new EncryptionListener(runtime));
            sessionFactory.addObserver(runtime);
        } catch (RuntimeException e) {
            if (provider.owned()) {
                provider.provider().close();
            }
            throw e;
        }
    }

    private static FieldEncryptor encryptor(Settings settings, Settings.Provider provider, DataKeyStore store) {
        try {
            return FieldEncryptor.builder().keyProvider(provider.provider())
                    .masterKeyId(settings.masterKeyId()).trustedMasterKeyIds(provider.trustedKeyIds())
                    .dataKeyStore(store).maxAge(settings.maxAge()).maxUses(settings.maxUses())
                    .acceptVersion1(settings.acceptVersion1()).build();
        } catch (KeyProviderException e) {
            throw new ConfigurationException(FieldCryptSettings.KMS_KEY_ID + " or "
                    + FieldCryptSettings.KMS_TRUSTED_KEY_IDS + " names a master key that cannot be used ("
                    + e.reason() + "): " + e.getMessage(), e);
        }
    }

    /** Whether this factory already has fieldcrypt's listeners (the integrator was applied twice). */
    private static boolean alreadyRegistered(EventListenerRegistry registry) {
        for (Object listener : registry.getEventListenerGroup(EventType.PRE_INSERT).listeners()) {
            if (listener instanceof EncryptionListener) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds the listeners: appended to the write events (so values other listeners put into the state are sealed
     * too, and the plaintext comes back only after the post-write listeners ran), prepended to the load event (so
     * every other listener sees plaintext).
     */
    private static void register(EventListenerRegistry registry, EncryptionListener listener) {
        registry.appendListeners(EventType.PRE_INSERT, listener);
        registry.appendListeners(EventType.PRE_UPDATE, listener);
        registry.appendListeners(EventType.POST_INSERT, listener);
        registry.appendListeners(EventType.POST_UPDATE, listener);
        registry.prependListeners(EventType.PRE_LOAD, listener);
        registry.appendListeners(EventType.POST_LOAD, listener);
    }

    private static ConnectionSource connections(SessionFactoryImplementor sessionFactory) {
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
    private static List<EncryptedTable> encryptedTables(Metadata metadata, SessionFactoryImplementor factory) {
        var context = factory.getSqlStringGenerationContext();
        var dialect = factory.getJdbcServices().getDialect();
        Map<Table, EncryptedTable> tables = new LinkedHashMap<>();
        for (PersistentClass entity : metadata.getEntityBindings()) {
            for (Found found : encryptedProperties(entity)) {
                Table table = found.value().getTable();
                EncryptedTable known = tables.computeIfAbsent(table, t -> new EncryptedTable(
                        t.getQualifiedName(context), t.getName(), keyColumns(entity, t, dialect),
                        entity.getEntityName(), aadEntity(entity), new LinkedHashSet<>(), new ArrayList<>()));
                known.entityNames().add(entity.getEntityName());
                String sqlName = found.column().getQuotedName(dialect);
                if (known.columns().stream().noneMatch(c -> c.sqlName().equals(sqlName))) {
                    known.columns().add(new EncryptedTable.Column(found.attribute().label(), sqlName,
                            found.column().getName(), found.attribute().text(), found.scope(),
                            found.bootAttribute().scopes()));
                }
            }
        }
        return List.copyOf(tables.values());
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

    /** An {@code @Encrypted} property of an entity, with its mapping. */
    private record Found(Property property, BasicValue value, EncryptedAttribute attribute) {

        Column column() {
            return (Column) value.getColumns().get(0);
        }

        /** The data key scope: the annotation's, or {@code <table>.<column>}. */
        String scope() {
            return attribute.scope().isEmpty() ? value.getTable().getName() + "." + column().getName()
                    : attribute.scope();
        }

        FieldCryptRuntime.BootAttribute bootAttribute() {
            return new FieldCryptRuntime.BootAttribute(property.getName(), attribute, value.getTable().getName(),
                    column().getName(), scope());
        }
    }

    /** The {@code @Encrypted} properties of {@code entity}, inherited ones included. */
    private static List<Found> encryptedProperties(PersistentClass entity) {
        List<Found> found = new ArrayList<>();
        for (Property property : entity.getPropertyClosure()) {
            if (property.getValue() instanceof BasicValue value
                    && value.getJpaAttributeConverterDescriptor() instanceof EncryptedConverterDescriptor d) {
                found.add(new Found(property, value, d.attribute()));
            }
        }
        return found;
    }

    private static String aadEntity(PersistentClass entity) {
        PersistentClass root = entity.getRootClass();
        return root.getJpaEntityName() != null ? root.getJpaEntityName() : root.getEntityName();
    }

    private static List<FieldCryptRuntime.BootEntity> encryptedEntities(Metadata metadata) {
        List<FieldCryptRuntime.BootEntity> entities = new ArrayList<>();
        for (PersistentClass entity : metadata.getEntityBindings()) {
            List<FieldCryptRuntime.BootAttribute> attributes = new ArrayList<>();
            for (Found found : encryptedProperties(entity)) {
                attributes.add(found.bootAttribute());
            }
            if (!attributes.isEmpty()) {
                entities.add(new FieldCryptRuntime.BootEntity(entity.getEntityName(), aadEntity(entity), attributes));
            }
        }
        return entities;
    }

}
