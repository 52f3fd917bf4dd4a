package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.spi.KeyProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything fieldcrypt holds for one session factory: the encryptor, the key provider, and the encrypted
 * attributes of each entity type. Checks the runtime model once the factory is built (refusing IDENTITY ids and
 * {@code OptimisticLockType.ALL/DIRTY}), and wipes keys when it closes.
 */
public final class FieldCryptRuntime implements SessionFactoryObserver {

    private static final Logger LOG = LoggerFactory.getLogger(FieldCryptRuntime.class);

    /** An encrypted attribute as the boot model describes it. */
    record BootAttribute(String property, EncryptedAttribute attribute, String table, String column) {
    }

    /** The encrypted attributes of one entity type at boot, and the entity name bound into their values. */
    record BootEntity(String entityName, String aadEntity, List<BootAttribute> attributes) {
    }

    private final FieldEncryptor encryptor;
    private final KeyProvider keyProvider;
    private final boolean ownsKeyProvider;
    private final String masterKeyId;
    private final List<BootEntity> bootEntities;
    private volatile Map<String, EntityCrypto> entities = Map.of();

    FieldCryptRuntime(FieldEncryptor encryptor, KeyProvider keyProvider, boolean ownsKeyProvider, String masterKeyId,
            List<BootEntity> bootEntities) {
        this.encryptor = encryptor;
        this.keyProvider = keyProvider;
        this.ownsKeyProvider = ownsKeyProvider;
        this.masterKeyId = masterKeyId;
        this.bootEntities = List.copyOf(bootEntities);
    }

    /** @return the encrypted attributes of {@code persister}'s entity, or {@code null} if it has none */
    EntityCrypto entity(EntityPersister persister) {
        return entities.get(persister.getEntityName());
    }

    /** @return the encryptor */
    public FieldEncryptor encryptor() {
        return encryptor;
    }

    /** @return the key provider */
    public KeyProvider keyProvider() {
        return keyProvider;
    }

    /** @return the configured master key id */
    public String masterKeyId() {
        return masterKeyId;
    }

    @Override
    public void sessionFactoryCreated(SessionFactory factory) {
        SessionFactoryImplementor sessionFactory = (SessionFactoryImplementor) factory;
        Map<String, EntityCrypto> resolved = new HashMap<>();
        for (BootEntity boot : bootEntities) {
            EntityPersister persister = sessionFactory.getMappingMetamodel().getEntityDescriptor(boot.entityName());
            check(boot, persister);
            List<EntityCrypto.Slot> slots = new ArrayList<>();
            for (BootAttribute attribute : boot.attributes()) {
                String scope = attribute.attribute().scope().isEmpty()
                        ? attribute.table() + "." + attribute.column() : attribute.attribute().scope();
                slots.add(new EntityCrypto.Slot(persister.getPropertyIndex(attribute.property()),
                        attribute.attribute(), attribute.column(), scope));
            }
            resolved.put(boot.entityName(), new EntityCrypto(boot.aadEntity(), slots.toArray(EntityCrypto.Slot[]::new),
                    encryptor));
            LOG.info("fieldcrypt encrypts {} attribute(s) of {}: {}", slots.size(), boot.aadEntity(),
                    slots.stream().map(s -> s.attribute().label()).toList());
        }
        entities = Map.copyOf(resolved);
    }

    private static void check(BootEntity boot, EntityPersister persister) {
        String entity = boot.aadEntity();
        String label = boot.attributes().get(0).attribute().label();
        if (persister.getGenerator() != null && persister.getGenerator().generatedOnExecution()) {
            String table = boot.attributes().get(0).table();
            throw new ConfigurationException("@Encrypted on " + label + " needs the id before the INSERT, but "
                    + entity + " gets its id from the database (GenerationType.IDENTITY). Use a sequence instead:"
                    + " a bigserial column already has one, so map the id with @GeneratedValue(strategy ="
                    + " GenerationType.SEQUENCE, generator = \"" + table + "_id\") and @SequenceGenerator(name = \""
                    + table + "_id\", sequenceName = \"" + table + "_id_seq\", allocationSize = 1)");
        }
        if (persister.optimisticLockStyle().isAllOrDirty()) {
            throw new ConfigurationException("@Encrypted on " + label + " cannot be used with "
                    + "OptimisticLockType." + persister.optimisticLockStyle() + " on " + entity + ", which compares"
                    + " old values in the UPDATE's WHERE clause; use a @Version attribute instead");
        }
    }

    @Override
    public void sessionFactoryClosed(SessionFactory factory) {
        close();
    }

    /** Wipes the cached keys and closes the key provider if fieldcrypt made it. */
    void close() {
        encryptor.close();
        if (ownsKeyProvider) {
            keyProvider.close();
        }
    }
}
