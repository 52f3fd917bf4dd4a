package io.fieldcrypt.hibernate;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.FieldCryptStats;
import io.fieldcrypt.hibernate.internal.EncryptionListener;
import io.fieldcrypt.hibernate.internal.FieldCryptRuntime;
import jakarta.persistence.EntityManagerFactory;
import java.util.Objects;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.spi.EventType;

/**
 * The administration API of fieldcrypt in one {@link EntityManagerFactory}. Thread-safe.
 */
public final class FieldCrypt {

    private final FieldCryptRuntime runtime;

    private FieldCrypt(FieldCryptRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * @param factory an entity manager factory (or Hibernate session factory) built with fieldcrypt
     * @return its administration API
     * @throws ConfigurationException if fieldcrypt is not active in that factory (no {@code @Encrypted} attribute,
     *     or {@value FieldCryptSettings#ENABLED} is false)
     */
    public static FieldCrypt of(EntityManagerFactory factory) {
        SessionFactoryImplementor sessionFactory = Objects.requireNonNull(factory, "factory")
                .unwrap(SessionFactoryImplementor.class);
        for (Object listener : sessionFactory.getEventListenerGroups().eventListenerGroup_PRE_INSERT.listeners()) {
            if (listener instanceof EncryptionListener encryption) {
                return new FieldCrypt(encryption.runtime());
            }
        }
        throw new ConfigurationException("fieldcrypt is not active in this EntityManagerFactory: it has no @Encrypted"
                + " attribute, or " + FieldCryptSettings.ENABLED + " is false");
    }

    /**
     * @return the counters of key provider calls and key cache hits and misses since the factory was built
     */
    public FieldCryptStats stats() {
        return runtime.encryptor().stats();
    }
}
