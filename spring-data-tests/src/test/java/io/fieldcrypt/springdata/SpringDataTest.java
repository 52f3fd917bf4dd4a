package io.fieldcrypt.springdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.jpa.repository.support.JpaRepositoryFactory;

/**
 * Spring Data JPA's repositories (its real {@link JpaRepositoryFactory}, without a Spring context) over an entity with
 * encrypted attributes: entities, interface projections, DTO projections (derived and dynamic) and {@code @Query}
 * projections return plaintext while the columns hold envelopes; a derived query on an encrypted attribute is
 * refused before any SQL runs.
 */
@ExtendWith(TestPostgres.class)
class SpringDataTest {

    private static final LocalDate BORN = LocalDate.of(1815, 12, 10);
    private static TestDatabase db;
    private static EntityManagerFactory emf;
    private static Long adaId;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        emf = new HibernatePersistenceConfiguration("spring-data")
                .managedClasses(Customer.class)
                .jdbcUrl(db.jdbcUrl())
                .jdbcCredentials(db.user(), db.password())
                .schemaToolingAction(Action.CREATE_ONLY)
                .property(PersistenceConfiguration.JDBC_DRIVER, "org.postgresql.Driver")
                .property("fieldcrypt.kms.provider", "local")
                .property("fieldcrypt.local.master-keys", LocalMasterKeys.spec("k1"))
                .property("fieldcrypt.kms.key-id", "k1")
                .createEntityManagerFactory();
        adaId = inTransaction(
                repository -> repository.save(new Customer("Ada", "123-45-6789", "ada@example.org", BORN)).id);
    }

    @AfterAll
    static void stop() {
        emf.close();
    }

    private static <R> R inTransaction(Function<CustomerRepository, R> work) {
        return inTransaction(work, true);
    }

    /**
     * @param lookups whether the repository factory has fieldcrypt's post-processor for truncated blind indexes
     */
    private static <R> R inTransaction(Function<CustomerRepository, R> work, boolean lookups) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            JpaRepositoryFactory factory = new JpaRepositoryFactory(em);
            if (lookups) {
                factory.addRepositoryProxyPostProcessor(new BlindIndexRepositories(em));
            }
            R result = work.apply(factory.getRepository(CustomerRepository.class));
            em.getTransaction().commit();
            return result;
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }

    @Test
    void save_storesEnvelopes_andFindByIdGivesPlaintext() throws Exception {
        Customer found = inTransaction(repository -> repository.findById(adaId).orElseThrow());

        assertThat(found.nationalId).isEqualTo("123-45-6789");
        assertThat(found.email).isEqualTo("ada@example.org");
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select nationalId, email from Customer where id = " + adaId)) {
            rs.next();
            assertThat(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1)).doesNotContain("123-45");
            assertThat(rs.getString(2)).startsWith("fc1:").doesNotContain("ada@");
        }
    }

    @Test
    void interfaceProjection_givesPlaintext() {
        List<CustomerRepository.Summary> summaries = inTransaction(repository -> repository.findSummaryByName("Ada"));

        assertThat(summaries).singleElement().satisfies(summary -> {
            assertThat(summary.getId()).isEqualTo(adaId);
            assertThat(summary.getNationalId()).isEqualTo("123-45-6789");
            assertThat(summary.getEmail()).isEqualTo("ada@example.org");
            assertThat(summary.getBirthDate()).isEqualTo(BORN);
        });
    }

    @Test
    void dtoProjections_derivedAndDynamic_givePlaintext() {
        List<CustomerView> derived = inTransaction(repository -> repository.findViewByName("Ada"));
        List<CustomerView> dynamic =
                inTransaction(repository -> repository.findByNameOrderById("Ada", CustomerView.class));

        CustomerView expected = new CustomerView(adaId, "123-45-6789", BORN);
        assertThat(derived).containsExactly(expected);
        assertThat(dynamic).containsExactly(expected);
    }

    @Test
    void queryProjection_givesPlaintext() {
        String nationalId = inTransaction(repository -> repository.nationalIdOf(adaId));

        assertThat(nationalId).isEqualTo("123-45-6789");
    }

    @Test
    void derivedQueriesOnABlindIndex_findByPlaintextInAnyCase() {
        Long beaId = inTransaction(
                repository -> repository.save(new Customer("Bea", "987-65-4321", "Bea@Example.org", BORN)).id);

        Optional<Customer> ada = inTransaction(repository -> repository.findByEmailIndex("ADA@example.org"));
        List<Customer> both = inTransaction(repository ->
                repository.findByEmailIndexIn(List.of("ada@example.org", "bea@example.org", "nobody@example.org")));
        boolean beaExists = inTransaction(repository -> repository.existsByEmailIndex("bea@EXAMPLE.org"));
        boolean cyExists = inTransaction(repository -> repository.existsByEmailIndex("cy@example.org"));
        List<CustomerRepository.Summary> summaries =
                inTransaction(repository -> repository.findSummaryByEmailIndex("bea@example.org"));

        assertThat(ada).hasValueSatisfying(found -> assertThat(found.id).isEqualTo(adaId));
        assertThat(both.stream().map(c -> c.id).toList()).containsExactlyInAnyOrder(adaId, beaId);
        assertThat(beaExists).isTrue();
        assertThat(cyExists).isFalse();
        assertThat(summaries)
                .singleElement()
                .satisfies(summary -> assertThat(summary.getEmail()).isEqualTo("Bea@Example.org"));
    }

    /**
     * 300 distinct national ids in the 256 values of an 8-bit index: some value is shared (pigeonhole), and derived
     * queries by one of its national ids return that customer only.
     */
    @Test
    void derivedQueriesOnATruncatedIndex_returnExactlyTheTrueMatches() throws Exception {
        inTransaction(repository -> {
            for (int i = 0; i < 300; i++) {
                repository.save(new Customer("T" + i, "900-" + i, null, BORN));
            }
            return null;
        });
        long crowded;
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select id from Customer where national_id_bidx = (select"
                        + " national_id_bidx from Customer where name like 'T%' group by national_id_bidx order by"
                        + " count(*) desc limit 1) and name like 'T%' order by id limit 1")) {
            rs.next();
            crowded = rs.getLong(1);
        }
        String nationalId =
                inTransaction(repository -> repository.findById(crowded).orElseThrow().nationalId);
        String typed = nationalId.replace("-", " ");

        List<Customer> found = inTransaction(repository -> repository.findByNationalIdIndex(typed));
        Optional<Customer> one = inTransaction(repository -> repository.readByNationalIdIndex(typed));
        boolean exists = inTransaction(repository -> repository.existsByNationalIdIndex(typed));
        long count = inTransaction(repository -> repository.countByNationalIdIndex(typed));
        boolean absent = inTransaction(repository -> repository.existsByNationalIdIndex("000-000"));

        assertThat(found)
                .singleElement()
                .satisfies(customer -> assertThat(customer.id).isEqualTo(crowded));
        assertThat(one).hasValueSatisfying(customer -> assertThat(customer.id).isEqualTo(crowded));
        assertThat(exists).isTrue();
        assertThat(count).isEqualTo(1);
        assertThat(absent).isFalse();
        assertThatThrownBy(() -> inTransaction(repository -> repository.findByNationalIdIndexAndName(typed, "T1")))
                .isInstanceOf(InvalidDataAccessApiUsageException.class)
                .hasMessageContaining("queries the truncated blind index nationalIdIndex, which answers only");
        assertThatThrownBy(() -> inTransaction(repository -> repository.queryByNationalIdIndex(typed)))
                .isInstanceOf(InvalidDataAccessApiUsageException.class)
                .hasMessageContaining("queries the truncated blind index nationalIdIndex, which answers only");
        assertThatThrownBy(() -> inTransaction(repository -> repository.searchByNationalIdIndex(typed)))
                .satisfies(thrown -> assertThat(rootOrSelf(thrown))
                        .isExactlyInstanceOf(FieldCryptException.class)
                        .hasMessageStartingWith("query refused: Customer.nationalIdIndex is a truncated @BlindIndex"));
        assertThatThrownBy(() -> inTransaction(repository -> repository.findByNationalIdIndex(typed), false))
                .satisfies(thrown -> assertThat(rootOrSelf(thrown))
                        .isExactlyInstanceOf(FieldCryptException.class)
                        .hasMessageStartingWith("query refused: Customer.nationalIdIndex is a truncated @BlindIndex"));
    }

    @Test
    void derivedQueryOnAnEncryptedAttribute_isRefused() {
        assertThatThrownBy(() -> inTransaction(repository -> repository.findByNationalId("123-45-6789")))
                .satisfies(thrown -> assertThat(rootOrSelf(thrown))
                        .isExactlyInstanceOf(FieldCryptException.class)
                        .hasMessageStartingWith(
                                "query refused: Customer.nationalId is @Encrypted and is used in the where clause")
                        .hasMessageNotContaining("123-45-6789"));
    }

    private static Throwable rootOrSelf(Throwable thrown) {
        Throwable root = thrown;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }
}
