package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.hibernate.model.Clinician;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.LoadQueryInfluencers;
import org.hibernate.query.spi.QueryOptions;
import org.hibernate.query.spi.QueryParameterBindings;
import org.hibernate.query.sqm.internal.DomainParameterXref;
import org.hibernate.query.sqm.produce.function.FunctionArgumentException;
import org.hibernate.query.sqm.sql.SqmTranslator;
import org.hibernate.query.sqm.sql.StandardSqmTranslatorFactory;
import org.hibernate.query.sqm.tree.select.SqmSelectStatement;
import org.hibernate.sql.ast.spi.SqlAstCreationContext;
import org.hibernate.sql.ast.tree.select.SelectStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Queries that would make the database compute on an encrypted attribute are refused when they are compiled, before
 * any SQL runs, with a message naming the attribute, where it was used and what to do instead.
 */
@ExtendWith(TestPostgres.class)
class QueryRefusalTest {

    private static SessionFactory sf;

    /** An application's own translator factory: fieldcrypt wraps it instead of replacing it. */
    public static final class CountingTranslatorFactory extends StandardSqmTranslatorFactory {
        static final AtomicInteger SELECTS = new AtomicInteger();

        @Override
        public SqmTranslator<SelectStatement> createSelectTranslator(
                SqmSelectStatement<?> statement,
                QueryOptions queryOptions,
                DomainParameterXref domainParameterXref,
                QueryParameterBindings domainParameterBindings,
                LoadQueryInfluencers loadQueryInfluencers,
                SqlAstCreationContext creationContext,
                boolean deduplicateSelectionItems) {
            SELECTS.incrementAndGet();
            return super.createSelectTranslator(
                    statement,
                    queryOptions,
                    domainParameterXref,
                    domainParameterBindings,
                    loadQueryInfluencers,
                    creationContext,
                    deduplicateSelectionItems);
        }
    }

    @jakarta.persistence.Entity(name = "Person")
    @jakarta.persistence.Inheritance(strategy = jakarta.persistence.InheritanceType.SINGLE_TABLE)
    static class Person {
        @jakarta.persistence.Id
        Long id;
    }

    @jakarta.persistence.Entity(name = "Employee")
    static class Employee extends Person {
        @Encrypted
        String ssn;
    }

    /** JOINED: a bulk statement on a subclass touches two tables. */
    @jakarta.persistence.Entity(name = "Account")
    @jakarta.persistence.Inheritance(strategy = jakarta.persistence.InheritanceType.JOINED)
    static class Account {
        @jakarta.persistence.Id
        Long id;

        String owner;
    }

    @jakarta.persistence.Entity(name = "SavingsAccount")
    static class SavingsAccount extends Account {
        @Encrypted
        String iban;
    }

    /** An encrypted attribute in a secondary table. */
    @jakarta.persistence.Entity(name = "Contact")
    @jakarta.persistence.SecondaryTable(name = "contact_secret")
    static class Contact {
        @jakarta.persistence.Id
        Long id;

        @Encrypted
        @jakarta.persistence.Column(table = "contact_secret")
        String phone;
    }

    /** TABLE_PER_CLASS: a bulk statement on the root touches every subclass's table. */
    @jakarta.persistence.Entity(name = "Card")
    @jakarta.persistence.Inheritance(strategy = jakarta.persistence.InheritanceType.TABLE_PER_CLASS)
    static class Card {
        @jakarta.persistence.Id
        Long id;

        @Encrypted
        String pan;
    }

    @jakarta.persistence.Entity(name = "DebitCard")
    static class DebitCard extends Card {}

    /** Pooled sequence ids: {@code insert ... select} runs through Hibernate's multi-table insert plan. */
    @jakarta.persistence.Entity(name = "Ticket")
    static class Ticket {
        @jakarta.persistence.Id
        @jakarta.persistence.GeneratedValue(strategy = jakarta.persistence.GenerationType.SEQUENCE)
        Long id;

        String subject;

        @Encrypted
        String note;
    }

    @BeforeAll
    static void start(TestDatabase db) {
        Map<String, Object> settings = Factories.local(LocalMasterKeys.spec("k1"), "k1");
        settings.put("hibernate.query.sqm.translator", CountingTranslatorFactory.class.getName());
        sf = Factories.build(
                        db,
                        settings,
                        Patient.class,
                        Clinician.class,
                        Person.class,
                        Employee.class,
                        Account.class,
                        SavingsAccount.class,
                        Contact.class,
                        Card.class,
                        DebitCard.class,
                        Ticket.class)
                .unwrap(SessionFactory.class);
        sf.inTransaction(s -> s.persist(new Patient("Ada", "123-45-6789", "ada@example.org", LocalDate.now(), null)));
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    @BeforeEach
    void resetStatistics() {
        sf.getStatistics().clear();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "from Patient p where p.nationalId = :value                        | Patient.nationalId | the where clause",
                "from Patient p where p.email like 'ada%'                          | Patient.email | the where clause",
                "from Patient p where p.nationalId = p.insuranceNumber             | Patient.nationalId | the where clause",
                "from Patient p where p.dateOfBirth > local date                   | Patient.dateOfBirth | the where clause",
                "from Patient p order by p.nationalId                              | Patient.nationalId | order by",
                "select p.nationalId from Patient p order by 1                     | Patient.nationalId | order by",
                "select p.email, count(*) from Patient p group by p.email          | Patient.email | group by",
                "select count(p.nationalId) from Patient p                         | Patient.nationalId | the function count()",
                "select upper(p.email) from Patient p                              | Patient.email | the function upper()",
                "select distinct p.nationalId from Patient p                       | Patient.nationalId | select distinct",
                "from Patient p where p.name in (select c.nationalId from Clinician c) | Clinician.nationalId | the select clause of a subquery",
                "from Patient p join Clinician c on c.nationalId = p.nationalId    | Clinician.nationalId | a join condition",
                "select p.email, count(*) from Patient p group by 1                | Patient.email | group by",
                "select p.email as e from Patient p order by e                     | Patient.email | order by",
                "select x.n from (select p.nationalId as n from Patient p) x       | Patient.nationalId | the select clause of a derived table",
                "select p.name from Patient p join (select c.nationalId as n from Clinician c) x on true | Clinician.nationalId | the select clause of a derived table",
                "with x as (select p.nationalId as n from Patient p) select count(*) from x | Patient.nationalId | the select clause of a CTE",
                "select p.nationalId from Patient p union all select p.nationalId from Patient p | Patient.nationalId | the select clause of a set operation (union, intersect, except)",
            })
    void refusedWhenCompiled(String hql, String attribute, String where) {
        assertThatThrownBy(() -> sf.inTransaction(s -> run(s, hql)))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith("query refused: " + attribute + " is @Encrypted and is used in " + where + ".")
                .hasMessageEndingWith("only 'is null' and 'is not null' may test it");
        assertThat(sf.getStatistics().getPrepareStatementCount())
                .as("no SQL ran")
                .isZero();
    }

    /** Hibernate itself refuses min/max of an encrypted attribute first: its column type is not comparable. */
    @Test
    void minAndMax_refusedByHibernateWhenCompiled() {
        assertThatThrownBy(() -> sf.inTransaction(s -> run(s, "select max(p.balance) from Patient p")))
                .isInstanceOf(FunctionArgumentException.class)
                .hasMessageContaining("max()");
        assertThat(sf.getStatistics().getPrepareStatementCount())
                .as("no SQL ran")
                .isZero();
    }

    private static void run(Session session, String hql) {
        var query = session.createSelectionQuery(hql, Object.class);
        if (hql.contains(":value")) {
            query.setParameter("value", "123-45-6789");
        }
        query.getResultList();
    }

    @Test
    void bulkMutations_refusedWhenCompiled() {
        assertRefused(
                s -> s.createMutationQuery("update Patient set email = 'x'").executeUpdate(),
                "query refused: Patient.email is @Encrypted and is used in the set clause of a bulk update.");
        assertRefused(
                s -> s.createMutationQuery("delete from Patient where nationalId = '123-45-6789'")
                        .executeUpdate(),
                "query refused: Patient.nationalId is @Encrypted and is used in the where clause.");
    }

    /**
     * Hibernate runs bulk statements on entities spread over several tables, and {@code insert ... select} that
     * needs pooled ids, through separate plans that bypass the query translator; they are checked all the same.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "update SavingsAccount a set a.iban = 'x'                          | SavingsAccount.iban | the set clause of a bulk update",
                "delete from SavingsAccount a where a.iban = 'x'                   | SavingsAccount.iban | the where clause",
                "update Account a set a.owner = 'x' where treat(a as SavingsAccount).iban = 'x' | SavingsAccount.iban | the where clause",
                "update Contact c set c.phone = 'x'                                | Contact.phone | the set clause of a bulk update",
                "delete from Contact c where c.phone = '0'                          | Contact.phone | the where clause",
                "update Card c set c.pan = 'x'                                     | Card.pan | the set clause of a bulk update",
                "insert into Contact (id, phone) select p.id, p.nationalId from Patient p | Contact.phone | the target of an insert",
                "insert into Ticket (note) select p.nationalId from Patient p      | Ticket.note | the target of an insert",
                "insert into Ticket (note) values ('x')                            | Ticket.note | the target of an insert",
            })
    void multiTableAndPooledIdMutations_refusedWhenCompiled(String hql, String attribute, String where) {
        assertRefused(
                s -> s.createMutationQuery(hql).executeUpdate(),
                "query refused: " + attribute + " is @Encrypted and is used in " + where + ".");
    }

    /** An encrypted value selected to be written elsewhere by the database is refused even into a plain column. */
    @Test
    void insertSelectOfAnEncryptedAttribute_refusedWhenCompiled() {
        assertRefused(
                s -> s.createMutationQuery("insert into Ticket (subject) select p.nationalId from Patient p")
                        .executeUpdate(),
                "query refused: Patient.nationalId is @Encrypted and is used in the select clause of insert ... select.");
    }

    /** HQL resolves a subclass attribute on a superclass path; the check must too. */
    @Test
    void subclassAttributeQueriedFromTheSuperclass_refusedWhenCompiled() {
        assertRefused(
                s -> s.createSelectionQuery("from Person p where p.ssn = 'x'", Person.class)
                        .getResultList(),
                "query refused: Employee.ssn is @Encrypted and is used in the where clause.");
        assertRefused(
                s -> s.createMutationQuery("update Person p set p.ssn = 'x'").executeUpdate(),
                "query refused: Employee.ssn is @Encrypted and is used in the set clause of a bulk update.");
    }

    @Test
    void criteriaComparison_refusedWhenCompiled() {
        assertRefused(
                s -> {
                    CriteriaBuilder cb = s.getCriteriaBuilder();
                    CriteriaQuery<Patient> query = cb.createQuery(Patient.class);
                    Root<Patient> p = query.from(Patient.class);
                    s.createQuery(query.where(cb.equal(p.get("nationalId"), "123-45-6789")))
                            .getResultList();
                },
                "query refused: Patient.nationalId is @Encrypted and is used in the where clause.");
    }

    @Test
    void allowedUses_runThroughTheApplicationsOwnTranslator() {
        int before = CountingTranslatorFactory.SELECTS.get();

        List<Object[]> rows = sf.fromTransaction(s -> s.createSelectionQuery(
                        "select p.nationalId, p.email from Patient p where p.email is not null and p.balance is null"
                                + " and p.id in (select c.id from Clinician c where c.nationalId is null)"
                                + " or p.name = 'Ada' order by p.id",
                        Object[].class)
                .getResultList());

        assertThat(rows)
                .singleElement()
                .satisfies(row -> assertThat(row).containsExactly("123-45-6789", "ada@example.org"));
        assertThat(CountingTranslatorFactory.SELECTS.get()).isGreaterThan(before);
    }

    private static void assertRefused(Consumer<Session> work, String messageStart) {
        assertThatThrownBy(() -> sf.inTransaction(work))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith(messageStart);
        assertThat(sf.getStatistics().getPrepareStatementCount())
                .as("no SQL ran")
                .isZero();
    }
}
