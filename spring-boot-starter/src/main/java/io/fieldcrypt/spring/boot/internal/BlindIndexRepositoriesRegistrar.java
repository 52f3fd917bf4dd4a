package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.springdata.BlindIndexRepositories;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.jpa.repository.support.JpaRepositoryFactoryBean;
import org.springframework.orm.jpa.SharedEntityManagerCreator;

/**
 * Adds {@link BlindIndexRepositories} to every Spring Data JPA repository when the context has exactly one entity
 * manager factory, so derived queries on truncated blind indexes work without registering it by hand. With several
 * (a repository's own factory is not visible from here), it adds nothing: register it with each repository factory.
 */
public final class BlindIndexRepositoriesRegistrar implements BeanPostProcessor {

    private final ObjectProvider<EntityManagerFactory> factories;

    public BlindIndexRepositoriesRegistrar(ObjectProvider<EntityManagerFactory> factories) {
        this.factories = factories;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof JpaRepositoryFactoryBean<?, ?, ?> repositories) {
            repositories.addRepositoryFactoryCustomizer(factory -> {
                java.util.List<EntityManagerFactory> all = factories.stream().toList();
                EntityManagerFactory entityManagerFactory = all.size() == 1 ? all.get(0) : null;
                if (entityManagerFactory != null
                        && io.fieldcrypt.hibernate.FieldCrypt.ifActive(entityManagerFactory)
                                .isPresent()) {
                    factory.addRepositoryProxyPostProcessor(new BlindIndexRepositories(
                            SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory)));
                }
            });
        }
        return bean;
    }
}
