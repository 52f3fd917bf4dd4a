package io.fieldcrypt.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.spi.KeyProviderListener;
import io.fieldcrypt.spring.boot.app.ClinicApplication;
import io.fieldcrypt.spring.boot.internal.FieldCryptEndpoint;
import io.fieldcrypt.spring.boot.internal.FieldCryptHealthIndicator;
import io.fieldcrypt.spring.boot.internal.FieldCryptMeters;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/** The auto-configuration with and without the optional parts, every property's binding, and the conflict error. */
@ExtendWith({TestPostgres.class, OutputCaptureExtension.class})
class FieldCryptAutoConfigurationTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    /** The test application's entities, without the rest of its auto-configuration. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.AutoConfigurationPackage(
            basePackageClasses = io.fieldcrypt.spring.boot.app.Customer.class)
    static class Entities {}

    private final ApplicationContextRunner settingsOnly =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(FieldCryptAutoConfiguration.class));

    @Test
    void everyProperty_isPassedOnAsItsSetting() {
        settingsOnly
                .withPropertyValues(
                        "fieldcrypt.enabled=true",
                        "fieldcrypt.schema=validate",
                        "fieldcrypt.kms.provider=aws",
                        "fieldcrypt.kms.key-id=alias/app",
                        "fieldcrypt.kms.trusted-key-ids=alias/old,alias/older",
                        "fieldcrypt.kms.region=eu-west-1",
                        "fieldcrypt.kms.endpoint=https://kms.example",
                        "fieldcrypt.local.master-keys=env:KEYS",
                        "fieldcrypt.data-key.max-age=300",
                        "fieldcrypt.data-key.max-uses=1000",
                        "fieldcrypt.data-key.table=keys.data_key",
                        "fieldcrypt.envelope.accept-version-1=false",
                        "fieldcrypt.migration.read-plaintext=Customer.email,Customer.zip",
                        "fieldcrypt.blind-index.Customer.emailIndex.column=email_bidx",
                        "fieldcrypt.blind-index.Customer.emailIndex.key-group=mail",
                        "fieldcrypt.blind-index.Customer.emailIndex.transform=CASEFOLD",
                        "fieldcrypt.blind-index.Customer.emailIndex.bits=64",
                        "fieldcrypt.blind-index.Customer.emailIndex.read=next",
                        "fieldcrypt.blind-index[Customer.emailIndex].next.column=email_bidx2",
                        "fieldcrypt.blind-index[Customer.emailIndex].next.key-group=mail2",
                        "fieldcrypt.blind-index[Customer.emailIndex].next.transform=TRIM_CASEFOLD",
                        "fieldcrypt.blind-index[Customer.emailIndex].next.bits=128")
                .run(context -> {
                    Map<String, Object> settings = new HashMap<>();
                    context.getBean(HibernatePropertiesCustomizer.class).customize(settings);

                    assertThat(settings)
                            .containsEntry("fieldcrypt.enabled", "true")
                            .containsEntry("fieldcrypt.schema", "validate")
                            .containsEntry("fieldcrypt.kms.provider", "aws")
                            .containsEntry("fieldcrypt.kms.key-id", "alias/app")
                            .containsEntry("fieldcrypt.kms.trusted-key-ids", "alias/old,alias/older")
                            .containsEntry("fieldcrypt.kms.region", "eu-west-1")
                            .containsEntry("fieldcrypt.kms.endpoint", "https://kms.example")
                            .containsEntry("fieldcrypt.local.master-keys", "env:KEYS")
                            .containsEntry("fieldcrypt.data-key.max-age", "PT5M")
                            .containsEntry("fieldcrypt.data-key.max-uses", "1000")
                            .containsEntry("fieldcrypt.data-key.table", "keys.data_key")
                            .containsEntry("fieldcrypt.envelope.accept-version-1", "false")
                            .containsEntry("fieldcrypt.migration.read-plaintext", "Customer.email,Customer.zip")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.column", "email_bidx")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.key-group", "mail")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.transform", "CASEFOLD")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.bits", "64")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.read", "next")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.next.column", "email_bidx2")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.next.key-group", "mail2")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.next.transform", "TRIM_CASEFOLD")
                            .containsEntry("fieldcrypt.blind-index.Customer.emailIndex.next.bits", "128")
                            .doesNotContainKey(FieldCryptSettings.KMS_CLIENT);
                    assertThat(settings.get(FieldCryptSettings.KEY_PROVIDER_LISTENER))
                            .isInstanceOf(KeyProviderListener.class);
                });
    }

    @Test
    void unsetProperties_areNotPassedOn_soTheSettingsDefaultsApply() {
        settingsOnly.run(context -> {
            Map<String, Object> settings = new HashMap<>();
            context.getBean(HibernatePropertiesCustomizer.class).customize(settings);

            assertThat(settings).containsOnlyKeys(FieldCryptSettings.KEY_PROVIDER_LISTENER);
        });
    }

    @Test
    void aKmsClientBean_isUsed() {
        try (KmsClient client = KmsClient.builder().region(Region.EU_WEST_1).build()) {
            settingsOnly.withBean(KmsClient.class, () -> client).run(context -> {
                Map<String, Object> settings = new HashMap<>();
                context.getBean(HibernatePropertiesCustomizer.class).customize(settings);

                assertThat(settings).containsEntry(FieldCryptSettings.KMS_CLIENT, client);
            });
        }
    }

    @Test
    void aSettingGivenTwice_isRefusedNamingBoth() {
        settingsOnly.withPropertyValues("fieldcrypt.kms.key-id=alias/app").run(context -> {
            Map<String, Object> settings = new HashMap<>(Map.of("fieldcrypt.kms.key-id", "alias/other"));

            assertThatThrownBy(() ->
                            context.getBean(HibernatePropertiesCustomizer.class).customize(settings))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("fieldcrypt.kms.key-id is given twice: as fieldcrypt.kms.key-id and as"
                            + " spring.jpa.properties.fieldcrypt.kms.key-id. Keep one; fieldcrypt.* is the Spring Boot"
                            + " way");
        });
    }

    /** A real start-up: the conflict ends it with Spring Boot's failure report, not a bean creation stack trace. */
    @Test
    void misconfiguration_failsTheStartUpWithAFailureReport(TestDatabase db, CapturedOutput output) {
        assertThat(failedStartUp(db, output, "spring.jpa.properties.fieldcrypt.kms.key-id", "k2"))
                .contains("fieldcrypt could not start: fieldcrypt.kms.key-id is given twice")
                .contains("Settings are bound from fieldcrypt.*");
    }

    @Test
    void withAnEntityManagerFactory_theAdminApiMetersHealthAndEndpointAreBeans_eachOnlyWithItsLibrary(TestDatabase db) {
        ApplicationContextRunner jpa = withJpa(db, Entities.class)
                .withPropertyValues(
                        "spring.jpa.hibernate.ddl-auto=create",
                        "spring.jmx.enabled=true",
                        "management.endpoints.jmx.exposure.include=fieldcrypt",
                        "fieldcrypt.kms.provider=local",
                        "fieldcrypt.local.master-keys=" + KEYS,
                        "fieldcrypt.kms.key-id=k1")
                .withBean(MeterRegistry.class, io.micrometer.core.instrument.simple.SimpleMeterRegistry::new);

        jpa.run(context -> {
            assertThat(context).hasSingleBean(FieldCrypt.class);
            assertThat(context).hasSingleBean(FieldCryptMeters.class);
            assertThat(context).hasSingleBean(FieldCryptHealthIndicator.class);
            assertThat(context).hasBean("fieldcryptHealthIndicator");
        });
        jpa.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> {
            assertThat(context).hasSingleBean(FieldCrypt.class);
            assertThat(context).doesNotHaveBean(FieldCryptMeters.class);
        });
        jpa.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(context -> {
            assertThat(context).doesNotHaveBean(FieldCryptHealthIndicator.class);
            assertThat(context).hasSingleBean(FieldCryptEndpoint.class);
        });
        jpa.withClassLoader(new FilteredClassLoader(Endpoint.class)).run(context -> {
            assertThat(context).hasSingleBean(FieldCryptHealthIndicator.class);
            assertThat(context).doesNotHaveBean(FieldCryptEndpoint.class);
        });
    }

    /** Adding the starter before any attribute is encrypted must not stop the application. */
    @Test
    void withoutEncryptedAttributes_theApplicationStarts_andReportsFieldcryptInactive(TestDatabase db) {
        withJpa(db, NoEntities.class)
                .withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=fieldcrypt")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(FieldCryptHealthIndicator.class)
                                    .health()
                                    .getStatus())
                            .isEqualTo(org.springframework.boot.health.contributor.Status.UNKNOWN);
                    assertThat(context.getBean(FieldCryptEndpoint.class).status())
                            .isEqualTo(Map.of("active", false));
                });
    }

    /** fieldcrypt.* set, but the application builds its own factory: start-up stops rather than ignore them. */
    @Test
    void propertiesThatNeverReachTheFactory_stopTheStartUp(TestDatabase db) {
        withJpa(db, OwnFactory.class)
                .withPropertyValues("fieldcrypt.data-key.max-uses=1000")
                .run(context -> assertThat(context.getStartupFailure())
                        .isInstanceOf(ConfigurationException.class)
                        .hasMessageStartingWith(
                                "fieldcrypt.* properties are set (fieldcrypt.data-key.max-uses), but the"
                                        + " entity manager factory was not built by Spring Boot's Hibernate"
                                        + " auto-configuration"));
    }

    /** A setting fieldcrypt itself refuses ends the start-up with the failure report too. */
    @Test
    void aWrongSetting_failsTheStartUpWithAFailureReport(TestDatabase db, CapturedOutput output) {
        assertThat(failedStartUp(db, output, "fieldcrypt.data-key.max-uses", "0"))
                .contains("fieldcrypt could not start: fieldcrypt.data-key.max-uses");
    }

    /**
     * @return a context with a data source on {@code db}, transactions, Hibernate and both fieldcrypt
     *     auto-configurations, and {@code configuration}
     */
    private static ApplicationContextRunner withJpa(TestDatabase db, Class<?> configuration) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        DataSourceAutoConfiguration.class,
                        TransactionAutoConfiguration.class,
                        HibernateJpaAutoConfiguration.class,
                        FieldCryptAutoConfiguration.class,
                        FieldCryptAdminAutoConfiguration.class))
                .withUserConfiguration(configuration)
                .withPropertyValues(
                        "spring.datasource.url=" + db.jdbcUrl(),
                        "spring.datasource.username=" + db.user(),
                        "spring.datasource.password=" + db.password());
    }

    /**
     * Starts the test application with local keys and one more property, which must stop it.
     *
     * @return what it printed, from the failure report on
     */
    private static String failedStartUp(TestDatabase db, CapturedOutput output, String property, String value) {
        SpringApplication application = new SpringApplication(ClinicApplication.class);
        application.setDefaultProperties(Map.of(
                "spring.datasource.url",
                db.jdbcUrl(),
                "spring.datasource.username",
                db.user(),
                "spring.datasource.password",
                db.password(),
                "spring.flyway.enabled",
                "false",
                "fieldcrypt.kms.provider",
                "local",
                "fieldcrypt.local.master-keys",
                KEYS,
                "fieldcrypt.kms.key-id",
                "k1",
                property,
                value));

        assertThatThrownBy(application::run).isNotNull();
        String printed = output.getOut() + output.getErr();
        assertThat(printed).contains("APPLICATION FAILED TO START");
        return printed.substring(printed.lastIndexOf("APPLICATION FAILED TO START"));
    }

    /** Only an entity without encrypted attributes. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.AutoConfigurationPackage(
            basePackageClasses = io.fieldcrypt.spring.boot.plain.Unencrypted.class)
    static class NoEntities {}

    /** The application's own entity manager factory, with fieldcrypt's settings in its own JPA properties. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    static class OwnFactory {
        @org.springframework.context.annotation.Bean
        org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean entityManagerFactory(
                javax.sql.DataSource dataSource) {
            var factory = new org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean();
            factory.setDataSource(dataSource);
            factory.setPackagesToScan(io.fieldcrypt.spring.boot.app.Customer.class.getPackageName());
            factory.setJpaVendorAdapter(new org.springframework.orm.jpa.vendor.HibernateJpaVendorAdapter());
            factory.setJpaPropertyMap(Map.of(
                    "hibernate.hbm2ddl.auto", "create",
                    "fieldcrypt.kms.provider", "local",
                    "fieldcrypt.local.master-keys", KEYS,
                    "fieldcrypt.kms.key-id", "k1"));
            return factory;
        }
    }
}
