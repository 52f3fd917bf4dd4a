package io.fieldcrypt.spring.boot;

import io.fieldcrypt.spring.boot.internal.FieldCryptSettingsCustomizer;
import io.fieldcrypt.spring.boot.internal.KeyProviderCalls;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.context.annotation.Bean;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Hands fieldcrypt its settings before Hibernate's entity manager factory is built: the {@code fieldcrypt.*}
 * properties ({@link FieldCryptProperties}), the context's {@link KmsClient} if it has exactly one (the application
 * owns its credentials and region; otherwise fieldcrypt builds its own from {@code fieldcrypt.kms.*}), and the
 * listener behind the meters and the health contributor.
 */
@AutoConfiguration(before = HibernateJpaAutoConfiguration.class)
@ConditionalOnClass(HibernatePropertiesCustomizer.class)
@EnableConfigurationProperties(FieldCryptProperties.class)
public class FieldCryptAutoConfiguration {

    @Bean
    KeyProviderCalls fieldCryptKeyProviderCalls() {
        return new KeyProviderCalls(Clock.systemUTC());
    }

    @Bean
    FieldCryptSettingsCustomizer fieldCryptSettingsCustomizer(
            FieldCryptProperties properties, ObjectProvider<KmsClient> kmsClient, KeyProviderCalls calls) {
        return new FieldCryptSettingsCustomizer(properties, kmsClient.getIfUnique(), calls);
    }
}
