package io.fieldcrypt.hibernate.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.service.Service;
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
     * Adds the service to every standard service registry, and the query translator factory that refuses queries
     * computing on encrypted attributes ({@link CheckingSqmTranslatorFactory}).
     */
    public static final class Contributor implements ServiceContributor {

        @Override
        public void contribute(StandardServiceRegistryBuilder registry) {
            registry.addInitiator(Initiator.INSTANCE);
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
