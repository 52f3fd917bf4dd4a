package io.fieldcrypt.spring.boot.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A {@code @DataJpaTest} slice gets fieldcrypt too: its {@code fieldcrypt.*} properties reach the factory. */
@ExtendWith(TestPostgres.class)
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class DataJpaSliceTest {

    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> db.jdbcUrl());
        registry.add("spring.datasource.username", () -> db.user());
        registry.add("spring.datasource.password", () -> db.password());
        registry.add("spring.flyway.enabled", () -> "false");
        registry.add("spring.jpa.hibernate.ddl-auto", () -> "create");
        registry.add("fieldcrypt.kms.provider", () -> "local");
        registry.add("fieldcrypt.local.master-keys", () -> LocalMasterKeys.spec("k1"));
        registry.add("fieldcrypt.kms.key-id", () -> "k1");
    }

    @Autowired
    CustomerRepository customers;

    @Test
    void repositories_encryptAndFindByBlindIndex() {
        customers.save(new Customer("ada", "Ada@Example.org", "10115"));
        customers.flush();

        assertThat(customers.findByEmailIndex("ada@example.org"))
                .extracting(Customer::getEmail)
                .containsExactly("Ada@Example.org");
        assertThat(customers.findByZipIndex("10115"))
                .extracting(Customer::getName)
                .containsExactly("ada");
    }
}
