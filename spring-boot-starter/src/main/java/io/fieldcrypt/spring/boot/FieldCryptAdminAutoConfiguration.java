package io.fieldcrypt.spring.boot;

import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.spring.boot.internal.ActiveFieldCrypt;
import io.fieldcrypt.spring.boot.internal.BlindIndexRepositoriesRegistrar;
import io.fieldcrypt.spring.boot.internal.FieldCryptEndpoint;
import io.fieldcrypt.spring.boot.internal.FieldCryptHealthIndicator;
import io.fieldcrypt.spring.boot.internal.FieldCryptMeters;
import io.fieldcrypt.spring.boot.internal.FieldCryptSettingsCustomizer;
import io.fieldcrypt.spring.boot.internal.KeyProviderCalls;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.data.jpa.repository.support.JpaRepositoryFactoryBean;

/**
 * What the application uses once the entity manager factory is built: the admin API ({@link FieldCrypt}) as a bean,
 * Spring Data support for truncated blind indexes, and, when they are on the classpath, Micrometer meters
 * ({@link FieldCryptMeters}), the {@code fieldcrypt} health contributor and the read-only {@code fieldcrypt}
 * endpoint.
 */
@AutoConfiguration(after = {HibernateJpaAutoConfiguration.class, FieldCryptAutoConfiguration.class})
@ConditionalOnSingleCandidate(EntityManagerFactory.class)
@ConditionalOnBean(KeyProviderCalls.class)
public class FieldCryptAdminAutoConfiguration {

    /** Created when first used: an application with the starter but no {@code @Encrypted} attribute yet starts. */
    @Bean
    @Lazy
    @ConditionalOnMissingBean
    FieldCrypt fieldCrypt(EntityManagerFactory entityManagerFactory) {
        return FieldCrypt.of(entityManagerFactory);
    }

    @Bean
    ActiveFieldCrypt fieldCryptIfActive(ObjectProvider<EntityManagerFactory> entityManagerFactory) {
        return new ActiveFieldCrypt(entityManagerFactory);
    }

    /** Stops the start-up if {@code fieldcrypt.*} properties never reached the entity manager factory. */
    @Bean
    static SmartInitializingSingleton fieldCryptSettingsApplied(ObjectProvider<FieldCryptSettingsCustomizer> settings) {
        return () -> settings.ifAvailable(FieldCryptSettingsCustomizer::checkApplied);
    }

    @Bean
    @ConditionalOnClass(JpaRepositoryFactoryBean.class)
    static BlindIndexRepositoriesRegistrar fieldCryptBlindIndexRepositories(
            ObjectProvider<EntityManagerFactory> entityManagerFactories) {
        return new BlindIndexRepositoriesRegistrar(entityManagerFactories);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {

        @Bean
        FieldCryptMeters fieldCryptMeters(ActiveFieldCrypt fieldCrypt, KeyProviderCalls calls) {
            return new FieldCryptMeters(fieldCrypt, calls);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("fieldcrypt")
    static class Health {

        @Bean
        @ConditionalOnMissingBean(name = "fieldcryptHealthIndicator")
        FieldCryptHealthIndicator fieldcryptHealthIndicator(ActiveFieldCrypt fieldCrypt, KeyProviderCalls calls) {
            return new FieldCryptHealthIndicator(fieldCrypt, calls);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Endpoint.class)
    @ConditionalOnAvailableEndpoint(FieldCryptEndpoint.class)
    static class StatusEndpoint {

        @Bean
        @ConditionalOnMissingBean
        FieldCryptEndpoint fieldCryptEndpoint(ActiveFieldCrypt fieldCrypt) {
            return new FieldCryptEndpoint(fieldCrypt);
        }
    }
}
