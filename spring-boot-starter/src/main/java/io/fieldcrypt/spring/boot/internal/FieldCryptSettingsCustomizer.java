package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.spring.boot.FieldCryptProperties;
import java.util.Map;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Passes the {@code fieldcrypt.*} properties, the context's {@link KmsClient} and the starter's key provider listener
 * to Hibernate as fieldcrypt's settings. A setting also given under {@code spring.jpa.properties.} is refused, naming
 * both, rather than one silently winning.
 */
public final class FieldCryptSettingsCustomizer implements HibernatePropertiesCustomizer {

    private final FieldCryptProperties properties;
    private final KmsClient kmsClient;
    private final KeyProviderCalls calls;
    private final java.util.concurrent.atomic.AtomicBoolean applied = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param kmsClient the context's KMS client, or {@code null}
     */
    public FieldCryptSettingsCustomizer(FieldCryptProperties properties, KmsClient kmsClient, KeyProviderCalls calls) {
        this.properties = properties;
        this.kmsClient = kmsClient;
        this.calls = calls;
    }

    /**
     * Refuses {@code fieldcrypt.*} properties that never reached an entity manager factory: one the application
     * builds itself, without Spring Boot's Hibernate auto-configuration, gets none of them.
     *
     * @throws ConfigurationException if properties are set and no factory was built with them
     */
    public void checkApplied() {
        Map<String, String> settings = properties.toSettings();
        if (!applied.get() && !settings.isEmpty()) {
            throw new ConfigurationException("fieldcrypt.* properties are set (" + String.join(", ", settings.keySet())
                    + "), but the entity manager factory was not built by Spring Boot's Hibernate auto-configuration,"
                    + " so they never reached it. Let Spring Boot build it, or put FieldCryptProperties.toSettings()"
                    + " into your factory's JPA properties and remove them from fieldcrypt.*");
        }
    }

    @Override
    public void customize(Map<String, Object> hibernateProperties) {
        applied.set(true);
        properties.toSettings().forEach((setting, value) -> {
            if (hibernateProperties.containsKey(setting)) {
                throw new ConfigurationException(setting + " is given twice: as " + setting + " and as"
                        + " spring.jpa.properties." + setting + ". Keep one; fieldcrypt.* is the Spring Boot way");
            }
            hibernateProperties.put(setting, value);
        });
        if (kmsClient != null && !hibernateProperties.containsKey(FieldCryptSettings.KEY_PROVIDER)) {
            hibernateProperties.putIfAbsent(FieldCryptSettings.KMS_CLIENT, kmsClient);
        }
        hibernateProperties.putIfAbsent(FieldCryptSettings.KEY_PROVIDER_LISTENER, calls);
    }
}
