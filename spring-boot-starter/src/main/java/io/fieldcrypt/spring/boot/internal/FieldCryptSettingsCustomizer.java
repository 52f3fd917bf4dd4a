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

    /**
     * @param kmsClient the context's KMS client, or {@code null}
     */
    public FieldCryptSettingsCustomizer(FieldCryptProperties properties, KmsClient kmsClient, KeyProviderCalls calls) {
        this.properties = properties;
        this.kmsClient = kmsClient;
        this.calls = calls;
    }

    @Override
    public void customize(Map<String, Object> hibernateProperties) {
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
