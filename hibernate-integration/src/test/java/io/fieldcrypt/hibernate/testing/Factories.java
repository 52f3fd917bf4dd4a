package io.fieldcrypt.hibernate.testing;

import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

/** Builds entity manager factories for tests: real PostgreSQL, the local key provider, the given entities. */
public final class Factories {

    private Factories() {}

    /**
     * @param masterKeys the {@code fieldcrypt.local.master-keys} value
     * @param keyId the current master key id
     * @return settings for the local provider
     */
    public static Map<String, Object> local(String masterKeys, String keyId) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(FieldCryptSettings.KMS_PROVIDER, "local");
        settings.put(FieldCryptSettings.LOCAL_MASTER_KEYS, masterKeys);
        settings.put(FieldCryptSettings.KMS_KEY_ID, keyId);
        return settings;
    }

    /**
     * @param db the test database; tables are created in its schema if missing (existing ones are kept)
     * @param settings extra properties
     * @param entities the managed classes
     * @return a new factory; the caller closes it
     */
    public static EntityManagerFactory build(TestDatabase db, Map<String, Object> settings, Class<?>... entities) {
        HibernatePersistenceConfiguration configuration = new HibernatePersistenceConfiguration("fieldcrypt-test")
                .managedClasses(entities)
                .jdbcUrl(db.jdbcUrl())
                .jdbcCredentials(db.user(), db.password())
                .schemaToolingAction(Action.CREATE_ONLY)
                .property(PersistenceConfiguration.JDBC_DRIVER, "org.postgresql.Driver")
                .property("hibernate.generate_statistics", "true");
        settings.forEach(configuration::property);
        return configuration.createEntityManagerFactory();
    }
}
