package io.fieldcrypt.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.spring.boot.app.ClinicApplication;
import io.fieldcrypt.spring.boot.app.Customer;
import io.fieldcrypt.spring.boot.app.CustomerRepository;
import io.fieldcrypt.spring.boot.internal.FieldCryptEndpoint;
import io.fieldcrypt.spring.boot.internal.FieldCryptMeters;
import io.fieldcrypt.testing.KmsWireServer;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A Spring Boot application with Spring Data JPA and Flyway owning the schema, fieldcrypt configured only through
 * {@code fieldcrypt.*} properties and a {@link KmsClient} bean speaking the KMS wire protocol to a local KMS server,
 * on real PostgreSQL: repository saves, derived queries on blind indexes, projections, meters, health and the
 * endpoint.
 */
@ExtendWith(TestPostgres.class)
@SpringBootTest(classes = {ClinicApplication.class, SpringBootEndToEndTest.Kms.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpringBootEndToEndTest {

    private static TestDatabase db;
    private static KmsWireServer kms;
    private static String keyArn;

    @TestConfiguration(proxyBeanMethods = false)
    static class Kms {
        /** The application's own client: one attempt, so that a refused call fails at once. */
        @Bean
        KmsClient kmsClient() {
            return kms.newClient(1);
        }
    }

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        kms = KmsWireServer.start();
        keyArn = kms.createKey();
    }

    @AfterAll
    static void stop() {
        kms.close();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> db.jdbcUrl());
        registry.add("spring.datasource.username", () -> db.user());
        registry.add("spring.datasource.password", () -> db.password());
        registry.add("spring.flyway.default-schema", () -> db.schema());
        registry.add("spring.flyway.schemas", () -> db.schema());
        registry.add("spring.flyway.locations", () -> "classpath:db/migration,classpath:io/fieldcrypt/flyway");
        registry.add("spring.jpa.hibernate.ddl-auto", () -> "validate");
        registry.add("fieldcrypt.schema", () -> "validate");
        registry.add("fieldcrypt.kms.key-id", () -> keyArn);
        registry.add("spring.jmx.enabled", () -> "true");
        registry.add("management.endpoints.jmx.exposure.include", () -> "health,fieldcrypt");
    }

    @Autowired
    CustomerRepository customers;

    @Autowired
    FieldCrypt fieldCrypt;

    @Autowired
    MeterRegistry meters;

    @Autowired
    @Qualifier("fieldcryptHealthIndicator")
    HealthIndicator health;

    @Autowired
    FieldCryptEndpoint endpoint;

    @Test
    @Order(1)
    void saves_makeOneDataKeyPerScope_andStoreOnlyCiphertext() throws SQLException {
        List<Customer> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(new Customer("customer " + i, "User" + i + "@Example.org", String.format("%05d", 10_000 + i)));
        }
        customers.saveAll(batch);

        assertThat(query("select count(*) from fieldcrypt_data_key where scope not like 'fieldcrypt:%'"))
                .as("one data key per scope (customer.email, customer.zip) for 100 saves")
                .isEqualTo(2);
        assertThat(counter(FieldCryptMeters.KMS_CALLS, "GenerateDataKey", "success"))
                .as("every key under a master key was one GenerateDataKey: scope keys and blind index root keys;"
                        + " data keys are made locally under the scope keys")
                .isEqualTo(query(
                        "select count(*) from fieldcrypt_data_key where master_key_id not like 'fieldcrypt:key:%'"))
                .isEqualTo(kms.requestCount("GenerateDataKey"));
        assertThat(meters.get(FieldCryptMeters.KMS_DURATION)
                        .tag("operation", "GenerateDataKey")
                        .timer()
                        .count())
                .as("timed from the registry's binding: the two scope keys, not the root keys made at boot")
                .isEqualTo(2);
        assertThat(query("select count(*) from customer where email like 'User%' or zip is null"))
                .isZero();
        assertThat(fieldCrypt.status().dataKeys()).isNotEmpty();
    }

    @Test
    @Order(2)
    void derivedQueriesOnBlindIndexes_andProjections_returnPlaintext() {
        List<Customer> byEmail = customers.findByEmailIndex("user7@EXAMPLE.org");
        List<Customer> byZip = customers.findByZipIndex("10042");

        assertThat(byEmail).extracting(Customer::getName).containsExactly("customer 7");
        assertThat(byZip).extracting(Customer::getEmail).containsExactly("User42@Example.org");
        assertThat(customers.findContactByName("customer 3"))
                .extracting(CustomerRepository.Contact::getEmail)
                .containsExactly("User3@Example.org");
        assertThat(customers.findPostalByName("customer 4"))
                .containsExactly(new CustomerRepository.Postal("customer 4", "10004"));
        assertThat(meters.get(FieldCryptMeters.BLIND_INDEX_LOOKUPS)
                        .tag("handle", "Customer.emailIndex")
                        .functionCounter()
                        .count())
                .as("one lookup; the 100 saves' index values are not lookups")
                .isEqualTo(1);
        assertThat(meters.get(FieldCryptMeters.KEY_CACHE)
                        .tag("use", "encryption")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(fieldCrypt.stats().encryptionKeyHits())
                .isPositive();
    }

    @Test
    @Order(3)
    void health_isUp_thenDownWhileKmsRefuses_thenUpAgain() {
        int requestsBefore = kms.totalRequests();
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(health.health().getDetails()).containsEntry("dataKeyTable", "reachable");
        assertThat(kms.totalRequests()).as("a probe never calls KMS").isEqualTo(requestsBefore);

        fieldCrypt.rotateDataKeys();
        kms.failNext(10);
        assertThatThrownBy(() -> customers.save(new Customer("refused", "r@example.org", "99999")))
                .satisfies(thrown ->
                        assertThat(causes(thrown)).anyMatch(io.fieldcrypt.KeyProviderException.class::isInstance));
        var down = health.health();
        kms.failNext(0);
        customers.save(new Customer("accepted", "a@example.org", "99999"));
        var up = health.health();

        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails().toString())
                .contains("GenerateDataKey", "unavailable")
                .doesNotContain(keyArn);
        assertThat(counter(FieldCryptMeters.KMS_CALLS, "GenerateDataKey", "unavailable"))
                .isEqualTo(1);
        assertThat(up.getStatus()).isEqualTo(Status.UP);
    }

    @Test
    @Order(4)
    void endpoint_showsTheStatus() {
        var status = endpoint.status();

        assertThat(status).containsKeys("dataKeys", "valuesUnderRetiredKeys", "plaintextValues", "stats");
        assertThat(status.get("valuesUnderRetiredKeys").toString()).contains("Customer.email");
    }

    private static List<Throwable> causes(Throwable thrown) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private double counter(String name, String operation, String outcome) {
        var counter = meters.find(name)
                .tag("operation", operation)
                .tag("outcome", outcome)
                .functionCounter();
        return counter == null ? 0 : counter.count();
    }

    private static long query(String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
