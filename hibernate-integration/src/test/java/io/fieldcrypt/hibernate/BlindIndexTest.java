package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.Table;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.query.SemanticException;
import org.hibernate.query.sqm.produce.function.FunctionArgumentException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Equality search through blind indexes: JPQL and Criteria find rows by the plaintext of an encrypted attribute
 * through its handle, the stored index follows every change of its source, and everything the index cannot answer is
 * refused when the query is compiled.
 */
@ExtendWith(TestPostgres.class)
class BlindIndexTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static TestDatabase db;
    private static SessionFactory sf;

    @Entity(name = "Member")
    @Table(name = "member")
    static class Member {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE)
        Long id;

        String name;

        @Encrypted
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
        @Column(name = "email_bidx", unique = true)
        String emailIndex;

        @Encrypted
        String phone;

        @BlindIndex(source = "phone", transform = BlindIndex.Transform.DIGITS)
        @Column(name = "phone_bidx")
        String phoneIndex;

        @Encrypted
        LocalDate birthDate;

        @BlindIndex(source = "birthDate")
        @Column(name = "birth_date_bidx")
        LocalDate birthDateIndex;

        Member() {}

        Member(String name, String email, String phone, LocalDate birthDate) {
            this.name = name;
            this.email = email;
            this.phone = phone;
            this.birthDate = birthDate;
        }
    }

    /** The same column name in another table: its index of an equal email differs. */
    @Entity(name = "Vendor")
    @Table(name = "vendor")
    static class Vendor {
        @Id
        Long id;

        @jakarta.persistence.Version
        Integer version;

        @Encrypted
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
        @Column(name = "email_bidx")
        String emailIndex;
    }

    @Entity(name = "Subscriber")
    @Table(name = "subscriber")
    @DynamicUpdate
    static class Subscriber {
        @Id
        Long id;

        String name;

        @Encrypted
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.TRIM_CASEFOLD)
        @Column(name = "email_bidx")
        String emailIndex;

        /** An address to confirm: applied by the JPA callback, after fieldcrypt's flush listener ran. */
        @jakarta.persistence.Transient
        String pendingEmail;

        @jakarta.persistence.PreUpdate
        void applyPendingEmail() {
            if (pendingEmail != null) {
                email = pendingEmail;
                pendingEmail = null;
            }
        }
    }

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = factory();
    }

    private static SessionFactory factory() {
        return Factories.build(db, Factories.local(KEYS, "k1"), Member.class, Vendor.class, Subscriber.class)
                .unwrap(SessionFactory.class);
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    @BeforeEach
    void clean() {
        sf.inTransaction(s -> {
            s.createMutationQuery("delete from Member").executeUpdate();
            s.createMutationQuery("delete from Vendor").executeUpdate();
            s.createMutationQuery("delete from Subscriber").executeUpdate();
        });
        sf.getStatistics().clear();
    }

    private static Member persist(String name, String email, String phone, LocalDate birthDate) {
        Member member = new Member(name, email, phone, birthDate);
        sf.inTransaction(s -> s.persist(member));
        return member;
    }

    private static List<String> namesWhere(String where, Map<String, Object> parameters) {
        return sf.fromTransaction(s -> {
            var query = s.createSelectionQuery(
                    "select m.name from Member m where " + where + " order by m.name", String.class);
            parameters.forEach(query::setParameter);
            return query.getResultList();
        });
    }

    @Test
    void jpqlAndCriteria_findByPlaintext_inAnyCase_andTheEntityKeepsItsValues() {
        persist("Ada", "Ada.Lovelace@Example.org", "+44 (20) 7946-0958", LocalDate.of(1815, 12, 10));
        persist("Bea", "bea@example.org", "020 7946 0000", LocalDate.of(1990, 1, 1));
        persist("Cy", "cy@example.org", null, LocalDate.of(1815, 12, 10));

        assertThat(namesWhere("m.emailIndex = :e", Map.of("e", "ada.lovelace@example.ORG")))
                .containsExactly("Ada");
        assertThat(namesWhere("m.emailIndex in :es", Map.of("es", List.of("BEA@example.org", "cy@EXAMPLE.org", "x"))))
                .containsExactly("Bea", "Cy");
        assertThat(namesWhere(":p = m.phoneIndex", Map.of("p", "442079460958"))).containsExactly("Ada");
        assertThat(namesWhere("m.birthDateIndex = :d", Map.of("d", LocalDate.of(1815, 12, 10))))
                .containsExactly("Ada", "Cy");
        assertThat(namesWhere("m.phoneIndex is null", Map.of())).containsExactly("Cy");

        List<Member> viaCriteria = sf.fromTransaction(s -> {
            CriteriaBuilder cb = s.getCriteriaBuilder();
            CriteriaQuery<Member> query = cb.createQuery(Member.class);
            Root<Member> m = query.from(Member.class);
            return s.createQuery(query.where(cb.equal(m.get("emailIndex"), "BEA@EXAMPLE.ORG")))
                    .getResultList();
        });
        assertThat(viaCriteria).singleElement().satisfies(found -> {
            assertThat(found.email).as("the original case is kept").isEqualTo("bea@example.org");
            assertThat(found.emailIndex).as("a handle reads as null").isNull();
        });
        assertThat(sf.getStatistics().getEntityUpdateCount())
                .as("no update after the writes and loads")
                .isZero();
    }

    @Test
    void storedIndex_isA16ByteKeyedHash_thatDiffersBetweenTables() throws SQLException {
        Member member = persist("Ada", "ada@example.org", null, null);
        Vendor vendor = new Vendor();
        vendor.id = 1L;
        vendor.email = "ADA@example.org";
        sf.inTransaction(s -> s.persist(vendor));

        byte[] memberIndex = RawColumns.read(db, "member", "email_bidx", member.id);
        byte[] vendorIndex = RawColumns.read(db, "vendor", "email_bidx", 1);

        assertThat(memberIndex).hasSize(16);
        assertThat(vendorIndex).hasSize(16).isNotEqualTo(memberIndex);
        assertThat(new String(memberIndex, StandardCharsets.ISO_8859_1)).doesNotContain("ada");
        assertThat(RawColumns.read(db, "member", "phone_bidx", member.id)).isNull();
    }

    @Test
    void changingTheSource_updatesTheIndexInTheSameStatement_withAndWithoutDynamicUpdate() throws SQLException {
        Member member = persist("Ada", "ada@example.org", null, null);
        Subscriber subscriber = new Subscriber();
        subscriber.id = 5L;
        subscriber.name = "Sub";
        subscriber.email = "  Old@Example.org ";
        sf.inTransaction(s -> s.persist(subscriber));
        byte[] before = RawColumns.read(db, "subscriber", "email_bidx", 5);
        sf.getStatistics().clear();

        sf.inTransaction(s -> s.find(Member.class, member.id).email = "ada@new.example.org");
        sf.inTransaction(s -> s.find(Subscriber.class, 5L).email = "new@example.org");
        sf.inTransaction(s -> s.find(Subscriber.class, 5L).name = "renamed");

        assertThat(sf.getStatistics().getEntityUpdateCount()).isEqualTo(3);
        assertThat(namesWhere("m.emailIndex = :e", Map.of("e", "ada@example.org")))
                .isEmpty();
        assertThat(namesWhere("m.emailIndex = :e", Map.of("e", "ADA@new.example.org")))
                .containsExactly("Ada");
        assertThat(RawColumns.read(db, "subscriber", "email_bidx", 5)).isNotEqualTo(before);
        List<String> found = sf.fromTransaction(
                s -> s.createSelectionQuery("select s.name from Subscriber s where s.emailIndex = :e", String.class)
                        .setParameter("e", " NEW@example.org")
                        .getResultList());
        assertThat(found).containsExactly("renamed");

        sf.getStatistics().clear();
        sf.inTransaction(s -> s.find(Subscriber.class, 5L).email = null);
        assertThat(RawColumns.read(db, "subscriber", "email_bidx", 5))
                .as("a source set to null nulls its index")
                .isNull();
        sf.inTransaction(s -> s.find(Member.class, member.id));
        assertThat(sf.getStatistics().getEntityUpdateCount())
                .as("one update for the change, none after the load")
                .isEqualTo(1);
    }

    @Test
    void uniqueConstraintOnAFullLengthIndex_rejectsTheSameEmailInAnotherCase() {
        persist("Ada", "ada@example.org", null, null);

        assertThatThrownBy(() -> persist("Imposter", "ADA@Example.ORG", null, null))
                .isInstanceOf(PersistenceException.class)
                .hasCauseInstanceOf(ConstraintViolationException.class);
    }

    @ParameterizedTest(name = "{0} finds {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // Turkish dotted capital I folds to i + combining dot above, not to a plain i.
                "İstanbul@example.org     | i̇stanbul@example.org | true",
                "İstanbul@example.org     | istanbul@example.org | false",
                // Dotless i has no case partner in default folding.
                "ıstanbul@example.org     | istanbul@example.org | false",
                "Straße@example.org       | STRASSE@example.org  | true",
                // Composed é (U+00E9) and e + combining acute (U+0301).
                "café@example.org         | café@example.org     | true",
                "ﬁle@example.org          | FILE@example.org     | true",
            })
    void casefold_isNfkcCasefold(String stored, String queried, boolean found) {
        persist("Stored", stored, null, null);

        assertThat(namesWhere("m.emailIndex = :e", Map.of("e", queried))).hasSize(found ? 1 : 0);
        String kept = sf.fromTransaction(s -> s.createSelectionQuery("select m.email from Member m", String.class)
                .getSingleResult());
        assertThat(kept).as("the original is kept").isEqualTo(stored);
    }

    @Test
    void statelessInsertUpdateAndUpsert_keepTheIndex() {
        Vendor vendor = new Vendor();
        vendor.id = 9L;
        vendor.email = "first@example.org";
        sf.inStatelessTransaction(s -> s.insert(vendor));
        vendor.email = "second@example.org";
        sf.inStatelessTransaction(s -> s.update(vendor));
        assertThat(vendorsWith("SECOND@example.org")).containsExactly(9L);

        vendor.email = "third@example.org";
        sf.inStatelessTransaction(s -> s.upsert(vendor));
        assertThat(vendorsWith("third@example.org")).containsExactly(9L);
        assertThat(vendorsWith("second@example.org")).isEmpty();
        Vendor found = sf.fromStatelessTransaction(
                s -> s.createSelectionQuery("from Vendor v where v.emailIndex = :e", Vendor.class)
                        .setParameter("e", "Third@example.org")
                        .getSingleResult());
        assertThat(found.email).isEqualTo("third@example.org");
    }

    /** A detached entity merged with a new source, with and without @DynamicUpdate: the index follows. */
    @Test
    void mergeOfADetachedEntity_updatesTheIndex() {
        Member member = persist("Merged", "before@example.org", null, null);
        Subscriber subscriber = new Subscriber();
        subscriber.id = 44L;
        subscriber.email = "before-sub@example.org";
        sf.inTransaction(s -> s.persist(subscriber));

        member.email = "after@example.org";
        subscriber.email = "after-sub@example.org";
        sf.inTransaction(s -> {
            s.merge(member);
            s.merge(subscriber);
        });

        assertThat(namesWhere("m.emailIndex = :e", Map.of("e", "AFTER@example.org")))
                .containsExactly("Merged");
        assertThat(namesWhere("m.emailIndex = :e", Map.of("e", "before@example.org")))
                .isEmpty();
        List<Long> subscribers = sf.fromTransaction(
                s -> s.createSelectionQuery("select s.id from Subscriber s where s.emailIndex = :e", Long.class)
                        .setParameter("e", "after-SUB@example.org")
                        .getResultList());
        assertThat(subscribers).containsExactly(44L);
    }

    /** A callback that changes the source after the dirty check: @DynamicUpdate still writes the index. */
    @Test
    void sourceChangedByAPreUpdateCallback_underDynamicUpdate_indexFollows() {
        Subscriber subscriber = new Subscriber();
        subscriber.id = 8L;
        subscriber.name = "Sub";
        subscriber.email = "old@example.org";
        sf.inTransaction(s -> s.persist(subscriber));

        sf.inTransaction(s -> {
            Subscriber loaded = s.find(Subscriber.class, 8L);
            loaded.pendingEmail = "new@example.org";
            loaded.name = "renamed";
        });

        List<Long> byNew = sf.fromTransaction(
                s -> s.createSelectionQuery("select s.id from Subscriber s where s.emailIndex = :e", Long.class)
                        .setParameter("e", "NEW@example.org")
                        .getResultList());
        List<Long> byOld = sf.fromTransaction(
                s -> s.createSelectionQuery("select s.id from Subscriber s where s.emailIndex = :e", Long.class)
                        .setParameter("e", "old@example.org")
                        .getResultList());
        assertThat(byNew).containsExactly(8L);
        assertThat(byOld).as("the old address no longer finds the row").isEmpty();
    }

    /** Hibernate binds a parameter with one type: compared with a handle, it may be used nowhere else. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "from Member m where m.emailIndex = :p or m.name = :p         | :p | elsewhere",
                "from Member m where m.name = :p or m.emailIndex = :p         | :p | elsewhere",
                "from Member m where m.emailIndex = :p or m.phoneIndex = :p   | :p | with another index",
                "from Member m where m.emailIndex in (:p) and m.name <> :p    | :p | elsewhere",
                "from Member m where m.emailIndex = ?1 or m.name = ?1         | ?1 | elsewhere",
            })
    void parameterComparedWithAHandleAndUsedElsewhere_refusedWhenCompiled(String hql, String parameter, String how) {
        assertThatThrownBy(() -> sf.inTransaction(s -> {
                    var query = s.createSelectionQuery(hql, Member.class);
                    if (hql.contains("?1")) {
                        query.setParameter(1, "ada@example.org");
                    } else {
                        query.setParameter("p", "ada@example.org");
                    }
                    query.getResultList();
                }))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith(
                        "query refused: the parameter " + parameter + " is compared with the" + " @BlindIndex")
                .hasMessageContaining("and also used " + how + ".")
                .hasMessageNotContaining("ada@");
        assertThat(sf.getStatistics().getPrepareStatementCount())
                .as("no SQL ran")
                .isZero();
    }

    @Test
    void criteriaParameterReusedElsewhere_refused_andANullTestOfTheParameterIsFine() {
        persist("Ada", "ada@example.org", null, null);
        assertThatThrownBy(() -> sf.inTransaction(s -> {
                    CriteriaBuilder cb = s.getCriteriaBuilder();
                    CriteriaQuery<Member> query = cb.createQuery(Member.class);
                    Root<Member> m = query.from(Member.class);
                    var login = cb.parameter(String.class, "login");
                    s.createQuery(query.where(
                                    cb.or(cb.equal(m.get("emailIndex"), login), cb.equal(m.get("name"), login))))
                            .setParameter("login", "ada@example.org")
                            .getResultList();
                }))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageContaining("and also used elsewhere");

        assertThat(namesWhere("(:e is null or m.emailIndex = :e)", Map.of("e", "ADA@example.org")))
                .containsExactly("Ada");
    }

    /**
     * Criteria values become literals when Hibernate inlines them ({@code value_handling_mode=inline}) or when
     * {@code cb.literal} is used: refused, so the plaintext never reaches the SQL text.
     */
    @Test
    void criteriaInlineValues_refusedWhenCompiled(TestDatabase shared) {
        Map<String, Object> settings = new java.util.HashMap<>(Factories.local(KEYS, "k1"));
        settings.put("hibernate.criteria.value_handling_mode", "inline");
        try (SessionFactory inlining = Factories.build(shared.newSchema("bidx_inline"), settings, Member.class)
                .unwrap(SessionFactory.class)) {
            for (SessionFactory factory : List.of(inlining, sf)) {
                assertThatThrownBy(() -> factory.inTransaction(s -> {
                            CriteriaBuilder cb = s.getCriteriaBuilder();
                            CriteriaQuery<Member> query = cb.createQuery(Member.class);
                            Root<Member> m = query.from(Member.class);
                            Object value = factory == sf ? cb.literal("ada@example.org") : "ada@example.org";
                            s.createQuery(query.where(cb.equal(m.get("emailIndex"), value)))
                                    .getResultList();
                        }))
                        .isExactlyInstanceOf(FieldCryptException.class)
                        .hasMessageStartingWith("query refused: Member.emailIndex is a @BlindIndex and is compared"
                                + " with something other than a parameter.");
            }
        }
    }

    /** A versioned upsert copies its state into the entity; the handle still reads as null afterwards. */
    @Test
    void versionedUpsert_leavesTheHandleNull() {
        Vendor vendor = new Vendor();
        vendor.id = 12L;
        vendor.email = "upserted@example.org";
        sf.inStatelessTransaction(s -> s.upsert(vendor));
        vendor.email = "upserted-again@example.org";
        sf.inStatelessTransaction(s -> s.upsert(vendor));

        assertThat(vendor.emailIndex).isNull();
        assertThat(vendorsWith("UPSERTED-AGAIN@example.org")).containsExactly(12L);
    }

    @ParameterizedTest(name = "{0} finds {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "+44 (20) 7946-0958 | 442079460958 | true",
                "٠٧٩١٢٣             | 079123       | true",
                "०७९                | 079          | true",
                "０７９                | 079          | true",
                "n/a                | 0            | false",
            })
    void digits_ofEveryScript(String stored, String queried, boolean found) {
        persist("Stored", "digits" + stored.hashCode() + "@example.org", stored, null);

        assertThat(namesWhere("m.phoneIndex = :p", Map.of("p", queried))).hasSize(found ? 1 : 0);
    }

    @Test
    void trimCasefold_removesNoBreakSpaces() {
        Subscriber subscriber = new Subscriber();
        subscriber.id = 21L;
        subscriber.email = "\u00A0Ada@Example.org\u2007";
        sf.inTransaction(s -> s.persist(subscriber));

        List<Long> found = sf.fromTransaction(
                s -> s.createSelectionQuery("select s.id from Subscriber s where s.emailIndex = :e", Long.class)
                        .setParameter("e", "ada@example.org")
                        .getResultList());
        assertThat(found).containsExactly(21L);
    }

    @Entity(name = "Recast")
    @Table(name = "recast")
    static class Recast {
        @Id
        Long id;

        @Encrypted
        String email;

        @BlindIndex(source = "email")
        @Column(name = "email_bidx")
        String emailIndex;
    }

    /** The same table and column with another transform: a new index definition, refused over old values. */
    @Entity(name = "Recast")
    @Table(name = "recast")
    static class RecastCasefolded {
        @Id
        Long id;

        @Encrypted
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
        @Column(name = "email_bidx")
        String emailIndex;
    }

    @Test
    void transformChangedOnAColumnHoldingValues_refusedInsteadOfSilentlyNotMatching(TestDatabase shared) {
        TestDatabase own = shared.newSchema("bidx_recast");
        try (SessionFactory before =
                Factories.build(own, Factories.local(KEYS, "k1"), Recast.class).unwrap(SessionFactory.class)) {
            Recast recast = new Recast();
            recast.id = 1L;
            recast.email = "ada@example.org";
            before.inTransaction(s -> s.persist(recast));
        }
        assertThatThrownBy(() -> Factories.build(own, Factories.local(KEYS, "k1"), RecastCasefolded.class)
                        .close())
                .as("refused while the factory is built")
                .satisfies(thrown -> assertThat(rootOrSelf(thrown))
                        .isInstanceOf(ConfigurationException.class)
                        .hasMessageContaining("no root key for key group recast.email_bidx|CASEFOLD|128")
                        .hasMessageContaining("If the index's transform, length or key group changed, move it to a"
                                + " new column instead"));
    }

    @Entity(name = "Lead")
    @Table(name = "lead")
    static class Lead {
        @Id
        Long id;

        @Encrypted
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD, keyGroup = "emails")
        @Column(name = "email_bidx")
        String emailIndex;
    }

    @Entity(name = "Client")
    @Table(name = "client")
    static class Client {
        @Id
        Long id;

        @Encrypted
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD, keyGroup = "emails")
        @Column(name = "contact_bidx")
        String emailIndex;
    }

    /** Indexes that name one key group hash equal values equally: the database can join on them. */
    @Test
    void sharedKeyGroup_equalValuesInTwoTables_joinOnTheHandles(TestDatabase shared) throws SQLException {
        TestDatabase own = shared.newSchema("bidx_shared");
        try (SessionFactory factory = Factories.build(own, Factories.local(KEYS, "k1"), Lead.class, Client.class)
                .unwrap(SessionFactory.class)) {
            Lead lead = new Lead();
            lead.id = 1L;
            lead.email = "Ada@Example.org";
            Client client = new Client();
            client.id = 2L;
            client.email = "ada@example.org";
            Client other = new Client();
            other.id = 3L;
            other.email = "bea@example.org";
            factory.inTransaction(s -> {
                s.persist(lead);
                s.persist(client);
                s.persist(other);
            });

            assertThat(RawColumns.read(own, "lead", "email_bidx", 1))
                    .isEqualTo(RawColumns.read(own, "client", "contact_bidx", 2));
            List<Object[]> joined = factory.fromTransaction(s -> s.createSelectionQuery(
                            "select l.id, c.id from Lead l join Client c on c.emailIndex = l.emailIndex",
                            Object[].class)
                    .getResultList());
            assertThat(joined).singleElement().satisfies(row -> assertThat(row).containsExactly(1L, 2L));
        }
    }

    private static List<Long> vendorsWith(String email) {
        return sf.fromTransaction(
                s -> s.createSelectionQuery("select v.id from Vendor v where v.emailIndex = :e", Long.class)
                        .setParameter("e", email)
                        .getResultList());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "from Member m where m.emailIndex = 'ada@x.org'    | is compared with something other than a parameter",
                "from Member m where m.emailIndex > :value         | is compared with >",
                "from Member m where m.emailIndex <> :value        | is compared with <>",
                "from Member m order by m.emailIndex               | is used in order by",
                "select m.emailIndex from Member m                 | is selected",
                "from Member m where coalesce(m.emailIndex, :value) = :value | is used in the function coalesce()",
                "select count(m.emailIndex) from Member m          | is used in the function count()",
                "from Member m where m.emailIndex = m.phoneIndex   | is compared with something other than a parameter",
                "from Member m where m.emailIndex in ('a', 'b')    | is compared with something other than a parameter in an 'in' list",
            })
    void everythingButEqualityWithAParameter_refusedWhenCompiled(String hql, String how) {
        assertThatThrownBy(() -> sf.inTransaction(s -> {
                    var query = s.createSelectionQuery(hql, Object.class);
                    if (hql.contains(":value")) {
                        query.setParameter("value", "ada@example.org");
                    }
                    query.getResultList();
                }))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith("query refused: Member.emailIndex is a @BlindIndex and " + how + ".");
        assertThat(sf.getStatistics().getPrepareStatementCount())
                .as("no SQL ran")
                .isZero();
    }

    /** Hibernate's own type checks refuse text operations on a handle first: its column is binary. */
    @Test
    void textOperationsOnAHandle_refusedByHibernateWhenCompiled() {
        for (String hql : List.of(
                "from Member m where m.emailIndex like 'ada%'", "from Member m where upper(m.emailIndex) = 'A'")) {
            assertThatThrownBy(() -> sf.inTransaction(
                            s -> s.createSelectionQuery(hql, Member.class).getResultList()))
                    .as(hql)
                    .isInstanceOfAny(SemanticException.class, FunctionArgumentException.class);
        }
        assertThat(sf.getStatistics().getPrepareStatementCount())
                .as("no SQL ran")
                .isZero();
    }

    @Test
    void queryOnTheEncryptedSource_namesTheHandleToUseInstead() {
        assertThatThrownBy(() ->
                        sf.inTransaction(s -> s.createSelectionQuery("from Member m where m.email = :e", Member.class)
                                .setParameter("e", "ada@example.org")
                                .getResultList()))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith("query refused: Member.email is @Encrypted and is used in the where clause.")
                .hasMessageEndingWith(
                        "to find rows by its value, compare its blind index Member.emailIndex with a parameter instead");
    }

    /** A root key lost from the data key table is never silently replaced while index values made under it exist. */
    @Test
    void rootKeyGoneWhileIndexValuesRemain_refusedNamingTheColumn() throws SQLException {
        persist("Ada", "ada@example.org", null, null);
        String scope = "fieldcrypt:blind-index:vendor.email_bidx|CASEFOLD|128";
        Vendor vendor = new Vendor();
        vendor.id = 3L;
        vendor.email = "v@example.org";
        sf.inTransaction(s -> s.persist(vendor));
        execute("create table saved_key as select * from fieldcrypt_data_key where scope = '" + scope + "'");
        execute("delete from fieldcrypt_data_key where scope = '" + scope + "'");

        try {
            assertThatThrownBy(BlindIndexTest::factory)
                    .as("refused while the factory is built")
                    .satisfies(thrown -> assertThat(rootOrSelf(thrown))
                            .isInstanceOf(ConfigurationException.class)
                            .hasMessageStartingWith("@BlindIndex Vendor.emailIndex: the data key table"
                                    + " fieldcrypt_data_key has no root key for key group"
                                    + " vendor.email_bidx|CASEFOLD|128"));
        } finally {
            execute("insert into fieldcrypt_data_key select * from saved_key");
            execute("drop table saved_key");
        }
        try (SessionFactory restored = factory()) {
            List<Long> ids = restored.fromTransaction(
                    s -> s.createSelectionQuery("select v.id from Vendor v where v.emailIndex = :e", Long.class)
                            .setParameter("e", "V@example.org")
                            .getResultList());
            assertThat(ids).containsExactly(3L);
        }
    }

    /** A master key change: rewrapDataKeys moves the index root keys too, and every index still finds its rows. */
    @Test
    void rewrapDataKeys_movesIndexRootKeysToTheNewMasterKey(TestDatabase shared) {
        TestDatabase own = shared.newSchema("bidx_rewrap");
        String keys = LocalMasterKeys.spec("old", "new");
        Vendor vendor = new Vendor();
        vendor.id = 1L;
        vendor.email = "ada@example.org";
        try (SessionFactory old =
                Factories.build(own, Factories.local(keys, "old"), Vendor.class).unwrap(SessionFactory.class)) {
            old.inTransaction(s -> s.persist(vendor));
        }
        Map<String, Object> current = Factories.local(keys, "new");
        current.put(FieldCryptSettings.KMS_TRUSTED_KEY_IDS, "old");
        try (SessionFactory rewrapping =
                Factories.build(own, current, Vendor.class).unwrap(SessionFactory.class)) {
            assertThat(FieldCrypt.of(rewrapping).rewrapDataKeys().rewrapped())
                    .as("the data key and the root key")
                    .isEqualTo(2);
        }
        try (SessionFactory onlyNew =
                Factories.build(own, Factories.local(keys, "new"), Vendor.class).unwrap(SessionFactory.class)) {
            List<Long> ids = onlyNew.fromTransaction(
                    s -> s.createSelectionQuery("select v.id from Vendor v where v.emailIndex = :e", Long.class)
                            .setParameter("e", "ADA@example.org")
                            .getResultList());
            assertThat(ids).containsExactly(1L);
        }
    }

    /** An erased or shredded value's index is a confirmable guess: the admin API clears it, and only it. */
    @Test
    void clearOrphanedBlindIndexes_clearsIndexesOfErasedOrShreddedSources_only() throws SQLException {
        Member erased = persist("Erased", "erased@example.org", "0123", null);
        Member shredded = persist("Shredded", "shredded@example.org", null, null);
        persist("Kept", "kept@example.org", "0456", null);
        execute("update member set email = null where id = " + erased.id);
        byte[] envelope = RawColumns.read(db, "member", "email", shredded.id);
        java.nio.ByteBuffer.wrap(envelope).putLong(io.fieldcrypt.Envelope.DATA_KEY_ID_OFFSET, 987_654_321L);
        RawColumns.write(db, "member", "email", shredded.id, envelope);

        Map<String, Long> cleared = FieldCrypt.of(sf).clearOrphanedBlindIndexes();

        assertThat(cleared)
                .containsEntry("Member.emailIndex", 2L)
                .containsEntry("Member.phoneIndex", 0L)
                .containsEntry("Vendor.emailIndex", 0L);
        assertThat(RawColumns.read(db, "member", "email_bidx", erased.id)).isNull();
        assertThat(RawColumns.read(db, "member", "email_bidx", shredded.id)).isNull();
        assertThat(RawColumns.read(db, "member", "phone_bidx", erased.id))
                .as("the phone is still there")
                .isNotNull();
        assertThat(namesWhere("m.emailIndex = :e", Map.of("e", "kept@example.org")))
                .containsExactly("Kept");
    }

    /** A key provider that is down while the factory is built, then back. */
    private static final class FlakyProvider implements io.fieldcrypt.spi.KeyProvider {
        final io.fieldcrypt.spi.KeyProvider real;
        volatile boolean down = true;
        final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

        FlakyProvider(io.fieldcrypt.spi.KeyProvider real) {
            this.real = real;
        }

        private void check() {
            if (down) {
                refused.incrementAndGet();
                throw new io.fieldcrypt.KeyProviderException(
                        io.fieldcrypt.KeyProviderException.Reason.UNAVAILABLE, "down for the test");
            }
        }

        @Override
        public String canonicalMasterKeyId(String masterKeyId) {
            return real.canonicalMasterKeyId(masterKeyId);
        }

        @Override
        public io.fieldcrypt.spi.GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> context) {
            check();
            return real.generateDataKey(masterKeyId, context);
        }

        @Override
        public io.fieldcrypt.spi.DecryptedDataKey decryptDataKey(
                io.fieldcrypt.spi.WrappedDataKey wrapped, Map<String, String> context) {
            check();
            return real.decryptDataKey(wrapped, context);
        }

        @Override
        public io.fieldcrypt.spi.WrappedDataKey reEncryptDataKey(
                io.fieldcrypt.spi.WrappedDataKey wrapped, Map<String, String> context, String destination) {
            check();
            return real.reEncryptDataKey(wrapped, context, destination);
        }
    }

    /** Index keys are loaded while the factory is built; a key provider down then only defers them to first use. */
    @Test
    void keyProviderDownWhileTheFactoryIsBuilt_indexKeysLoadedAtFirstUse(TestDatabase shared) {
        TestDatabase own = shared.newSchema("bidx_flaky");
        FlakyProvider provider = new FlakyProvider(io.fieldcrypt.KeyProviders.local(KEYS));
        Map<String, Object> settings = new java.util.HashMap<>();
        settings.put(FieldCryptSettings.KEY_PROVIDER, provider);
        settings.put(FieldCryptSettings.KMS_KEY_ID, "k1");
        try (SessionFactory factory =
                Factories.build(own, settings, Vendor.class).unwrap(SessionFactory.class)) {
            assertThat(provider.refused.get())
                    .as("the build tried to load the index key")
                    .isPositive();
            provider.down = false;
            Vendor vendor = new Vendor();
            vendor.id = 1L;
            vendor.email = "flaky@example.org";
            factory.inTransaction(s -> s.persist(vendor));
            List<Long> found = factory.fromTransaction(
                    s -> s.createSelectionQuery("select v.id from Vendor v where v.emailIndex = :e", Long.class)
                            .setParameter("e", "FLAKY@example.org")
                            .getResultList());
            assertThat(found).containsExactly(1L);
        }
    }

    private static Throwable rootOrSelf(Throwable thrown) {
        Throwable root = thrown;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
