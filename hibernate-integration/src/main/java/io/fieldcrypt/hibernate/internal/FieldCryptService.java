package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.QuerySettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.query.sqm.mutation.spi.SqmMultiTableMutationStrategyProvider;
import org.hibernate.service.Service;
import org.hibernate.service.ServiceRegistry;
import org.hibernate.service.spi.ServiceContributor;
import org.hibernate.service.spi.ServiceRegistryImplementor;
import org.hibernate.service.spi.Stoppable;

/**
 * fieldcrypt's state in a Hibernate service registry, the way Envers keeps its own: the runtime of each session
 * factory built with encrypted attributes. The administration API finds a factory's runtime here rather than by
 * looking through event listeners; the integrator uses it to apply itself once per factory. Stopping the registry
 * closes what the runtimes hold (keys are wiped).
 *
 * <p>Contributed to every registry through {@code META-INF/services/org.hibernate.service.spi.ServiceContributor}
 * ({@link Contributor}). Thread-safe.
 */
public final class FieldCryptService implements Service, Stoppable {

    private final Map<SessionFactoryImplementor, FieldCryptRuntime> runtimes = new ConcurrentHashMap<>();

    /**
     * @param factory a session factory of this registry
     * @return its runtime, or {@code null} if fieldcrypt is not active in it
     */
    public FieldCryptRuntime runtime(SessionFactoryImplementor factory) {
        return runtimes.get(factory);
    }

    /** Records the runtime of {@code factory}; it is forgotten (and closed) when the factory closes. */
    void register(SessionFactoryImplementor factory, FieldCryptRuntime runtime) {
        runtimes.put(factory, runtime);
    }

    /** Forgets the runtime of a closed (or failed) factory and closes it; once, however often it is called. */
    void forget(SessionFactoryImplementor factory) {
        FieldCryptRuntime runtime = runtimes.remove(factory);
        if (runtime != null) {
            runtime.close();
        }
    }

    @Override
    public void stop() {
        for (SessionFactoryImplementor factory : runtimes.keySet()) {
            FieldCryptRuntime runtime = runtimes.remove(factory);
            if (runtime != null) {
                runtime.close();
            }
        }
    }

    /**
     * Refuses to boot when something replaced the query checks after {@link Contributor} installed them: a
     * translator factory set after the registry was built, or another multi-table strategy provider.
     *
     * @param settings the registry's settings
     * @param registry the registry
     * @throws ConfigurationException naming what replaced the check
     */
    static void checkQueryChecksInstalled(Map<String, Object> settings, ServiceRegistry registry) {
        Object translator = settings.get(QuerySettings.SEMANTIC_QUERY_TRANSLATOR);
        if (translator == null || !CheckingSqmTranslatorFactory.class.getName().equals(name(translator))) {
            throw new ConfigurationException(QuerySettings.SEMANTIC_QUERY_TRANSLATOR + " is " + name(translator)
                    + " instead of fieldcrypt's " + CheckingSqmTranslatorFactory.class.getName()
                    + ", so queries on @Encrypted attributes would not be checked: set your translator factory with"
                    + " the other Hibernate settings, before the service registry is built (fieldcrypt then runs it"
                    + " inside its own), not on the registry afterwards");
        }
        SqmMultiTableMutationStrategyProvider strategies =
                registry.requireService(SqmMultiTableMutationStrategyProvider.class);
        if (!(strategies instanceof CheckingMutationStrategies)) {
            throw new ConfigurationException("the service " + SqmMultiTableMutationStrategyProvider.class.getName()
                    + " is " + strategies.getClass().getName() + " instead of fieldcrypt's, so bulk statements on"
                    + " entities spread over several tables would not be checked for @Encrypted attributes:"
                    + " configure strategies with hibernate.query.mutation_strategy and"
                    + " hibernate.query.insert_strategy instead of replacing the service");
        }
    }

    private static String name(Object setting) {
        if (setting == null) {
            return "not set";
        }
        if (setting instanceof Class<?> type) {
            return type.getName();
        }
        return setting instanceof String text ? text : setting.getClass().getName();
    }

    /**
     * Adds the service to every standard service registry, and the two places that refuse queries computing on
     * encrypted attributes: the query translator factory ({@link CheckingSqmTranslatorFactory}) and the strategies
     * for bulk statements on multi-table entities ({@link CheckingMutationStrategies}).
     */
    public static final class Contributor implements ServiceContributor {

        @Override
        public void contribute(StandardServiceRegistryBuilder registry) {
            registry.addInitiator(Initiator.INSTANCE);
            registry.addInitiator(CheckingMutationStrategies.INITIATOR);
            CheckingSqmTranslatorFactory.install(registry.getSettings(), registry::applySetting);
        }
    }

    /** Makes the (initially empty) service. */
    private enum Initiator implements StandardServiceInitiator<FieldCryptService> {
        INSTANCE;

        @Override
        public Class<FieldCryptService> getServiceInitiated() {
            return FieldCryptService.class;
        }

        @Override
        public FieldCryptService initiateService(
                Map<String, Object> configurationValues, ServiceRegistryImplementor registry) {
            return new FieldCryptService();
        }
    }
}
