package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import java.util.List;
import java.util.Map;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.DuplicationStrategy;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.service.spi.SessionFactoryServiceRegistry;

/**
 * Applies fieldcrypt to every session factory that has {@code @Encrypted} attributes (found through
 * {@code META-INF/services}), the way Envers applies itself: the factory's runtime is kept in the
 * {@link FieldCryptService} of its registry, and the listeners are registered with a duplication strategy, so
 * applying the integrator twice changes nothing. A factory without encrypted attributes is left exactly as it was.
 */
public final class FieldCryptIntegrator implements Integrator {

    /** fieldcrypt's listeners are registered once per event type, whoever registers them again. */
    private static final DuplicationStrategy ONCE = new DuplicationStrategy() {
        @Override
        public boolean areMatch(Object listener, Object original) {
            return listener.getClass() == original.getClass()
                    && (listener instanceof EncryptionListener || listener instanceof IndexDirtiness);
        }

        @Override
        public Action getAction() {
            return Action.KEEP_ORIGINAL;
        }
    };

    @Override
    public void integrate(
            Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
        BootModel.checkEveryEncryptedAttributeIsReachable(metadata);
        Map<String, Object> values = bootstrapContext
                .getServiceRegistry()
                .requireService(ConfigurationService.class)
                .getSettings();
        if (!Settings.enabled(values)) {
            List<FieldCryptRuntime.BootEntity> entities = BootModel.encryptedEntities(metadata, Map.of());
            if (!entities.isEmpty()) {
                throw new ConfigurationException(FieldCryptSettings.ENABLED + " is false, but "
                        + entities.get(0).attributes().get(0).attribute().label() + " is @Encrypted: remove the"
                        + " annotations or enable fieldcrypt; encrypted attributes are never written in plain");
            }
            return;
        }
        FieldCryptService service = bootstrapContext.getServiceRegistry().requireService(FieldCryptService.class);
        if (service.runtime(sessionFactory) != null) {
            return;
        }
        Map<String, IndexSettings> indexSettings = BootModel.applyIndexSettings(metadata, values);
        List<FieldCryptRuntime.BootEntity> entities = BootModel.encryptedEntities(metadata, indexSettings);
        if (entities.isEmpty()) {
            return;
        }
        FieldCryptService.checkQueryChecksInstalled(values, sessionFactory.getServiceRegistry());
        BootModel.installReadExpressions(
                metadata, sessionFactory.getJdbcServices().getDialect());
        FieldCryptRuntime runtime = FieldCryptRuntime.assemble(
                Settings.parse(values),
                values,
                entities,
                BootModel.encryptedTables(metadata, sessionFactory),
                BootModel.indexColumnsByGroup(metadata, sessionFactory, indexSettings),
                BootModel.connections(sessionFactory));
        service.register(sessionFactory, runtime);
        sessionFactory.addObserver(runtime.observer(service));
        register(
                sessionFactory.getEventListenerRegistry(),
                new EncryptionListener(runtime),
                new IndexDirtiness(runtime));
    }

    /**
     * Closes the factory's runtime (its keys are wiped). Hibernate calls this when a factory closes, and also when its
     * build fails after {@link #integrate}, where the close notification may not come.
     */
    @Override
    public void disintegrate(SessionFactoryImplementor sessionFactory, SessionFactoryServiceRegistry serviceRegistry) {
        FieldCryptService service = serviceRegistry.getService(FieldCryptService.class);
        if (service != null) {
            service.forget(sessionFactory);
        }
    }

    /**
     * Adds the listener: appended to the write events (so values other listeners put into the state are sealed
     * too, and the plaintext comes back only after the post-write listeners ran), prepended to the load event (so
     * every other listener sees plaintext); and the blind index dirtiness check, prepended to the flush of each
     * entity (so Hibernate's dirty check that follows sees a handle whose source changed as changed).
     */
    private static void register(
            EventListenerRegistry registry, EncryptionListener listener, IndexDirtiness indexDirtiness) {
        registry.addDuplicationStrategy(ONCE);
        registry.appendListeners(EventType.PRE_INSERT, listener);
        registry.appendListeners(EventType.PRE_UPDATE, listener);
        registry.appendListeners(EventType.POST_INSERT, listener);
        registry.appendListeners(EventType.POST_UPDATE, listener);
        registry.appendListeners(EventType.PRE_UPSERT, listener);
        registry.appendListeners(EventType.POST_UPSERT, listener);
        registry.prependListeners(EventType.PRE_LOAD, listener);
        registry.prependListeners(EventType.FLUSH_ENTITY, indexDirtiness);
    }
}
