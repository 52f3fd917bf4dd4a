package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.hibernate.FieldCrypt;
import jakarta.persistence.EntityManagerFactory;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The administration API of the context's entity manager factory if fieldcrypt is active in it, looked up when first
 * needed: the meters, the health contributor and the endpoint report "not active" rather than stop an application
 * that has the starter but no {@code @Encrypted} attribute yet.
 */
public final class ActiveFieldCrypt {

    private final ObjectProvider<EntityManagerFactory> factory;

    public ActiveFieldCrypt(ObjectProvider<EntityManagerFactory> factory) {
        this.factory = factory;
    }

    /** @return the API, or empty if fieldcrypt is not active in the factory */
    public Optional<FieldCrypt> get() {
        return FieldCrypt.ifActive(factory.getObject());
    }
}
