package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.AttributeOverride;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Encrypted attributes inside embeddables — one embeddable embedded twice in one entity and once in another, with a
 * nested embeddable — are sealed to the owning entity's row, table and column, and the component instances the
 * application holds are never changed.
 */
@ExtendWith(TestPostgres.class)
class EmbeddableTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static TestDatabase db;
    private static SessionFactory sf;

    @Embeddable
    static class Geo {
        @Encrypted
        BigDecimal latitude;

        /** A primitive: Hibernate reads it as a new box every time. */
        @Encrypted
        int altitude;

        Geo() {}

        Geo(BigDecimal latitude, int altitude) {
            this.latitude = latitude;
            this.altitude = altitude;
        }
    }

    @Embeddable
    static class Address {
        String city;

        @Encrypted
        String street;

        @Encrypted(storage = Encrypted.Storage.TEXT)
        @Column(length = 300)
        String postcode;

        @Embedded
        Geo geo;

        Address() {}

        Address(String city, String street, String postcode, BigDecimal latitude) {
            this.city = city;
            this.street = street;
            this.postcode = postcode;
            this.geo = new Geo(latitude, 1200 + city.length());
        }
    }

    @Entity(name = "Customer")
    @Table(name = "customer")
    static class Customer {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE)
        Long id;

        String name;

        @Embedded
        Address home;

        @Embedded
        @AttributeOverride(name = "city", column = @Column(name = "work_city"))
        @AttributeOverride(name = "street", column = @Column(name = "work_street"))
        @AttributeOverride(name = "postcode", column = @Column(name = "work_postcode", length = 300))
        @AttributeOverride(name = "geo.latitude", column = @Column(name = "work_latitude"))
        @AttributeOverride(name = "geo.altitude", column = @Column(name = "work_altitude"))
        Address work;
    }

    @Entity(name = "Supplier")
    @Table(name = "supplier")
    static class Supplier {
        @Id
        Long id;

        @Embedded
        Address address;
    }

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = factory();
    }

    private static SessionFactory factory() {
        return Factories.build(db, Factories.local(KEYS, "k1"), Customer.class, Supplier.class)
                .unwrap(SessionFactory.class);
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    @BeforeEach
    void resetStatistics() {
        sf.getStatistics().clear();
    }

    private static Customer customer(String name) {
        Customer customer = new Customer();
        customer.name = name;
        customer.home = new Address("Leeds", name + " Street 1", "LS1 " + name, new BigDecimal("53.8008"));
        customer.work = new Address("York", name + " Road 2", "YO1 " + name, new BigDecimal("53.9590"));
        return customer;
    }

    @Test
    void persistAndFind_columnsHoldEnvelopes_applicationInstancesUnchanged() throws SQLException {
        Customer customer = customer("Ada");
        Address home = customer.home;
        sf.inTransaction(s -> s.persist(customer));

        assertThat(customer.home).isSameAs(home);
        assertThat(home.street).isEqualTo("Ada Street 1");
        assertThat(home.geo.latitude).isEqualTo(new BigDecimal("53.8008"));
        for (String column :
                new String[] {"street", "work_street", "latitude", "work_latitude", "altitude", "work_altitude"}) {
            assertThat(Envelope.isWellFormed(bytes(column, customer.id)))
                    .as(column)
                    .isTrue();
        }
        assertThat(text("postcode", customer.id)).startsWith("fc1:").doesNotContain("Ada");
        assertThat(text("city", customer.id)).isEqualTo("Leeds");
        assertThat(sf.getStatistics().getEntityUpdateCount()).isZero();

        Customer loaded = sf.fromTransaction(s -> s.find(Customer.class, customer.id));
        assertThat(loaded.home.street).isEqualTo("Ada Street 1");
        assertThat(loaded.home.postcode).isEqualTo("LS1 Ada");
        assertThat(loaded.home.geo.latitude).isEqualTo(new BigDecimal("53.8008"));
        assertThat(loaded.home.geo.altitude).isEqualTo(1205);
        assertThat(loaded.work.geo.altitude).isEqualTo(1204);
        assertThat(loaded.work.street).isEqualTo("Ada Road 2");
        assertThat(loaded.work.geo.latitude).isEqualTo(new BigDecimal("53.9590"));
        assertThat(sf.getStatistics().getEntityUpdateCount())
                .as("no update after a load")
                .isZero();
    }

    @Test
    void update_resealsWithoutTouchingTheInstance_andNothingElseIsWritten() throws SQLException {
        Customer customer = customer("Bea");
        sf.inTransaction(s -> s.persist(customer));
        byte[] workBefore = bytes("work_street", customer.id);

        sf.inTransaction(s -> s.find(Customer.class, customer.id).home.street = "Bea Lane 3");

        assertThat(sf.getStatistics().getEntityUpdateCount()).isEqualTo(1);
        assertThat(new String(bytes("street", customer.id), StandardCharsets.ISO_8859_1))
                .doesNotContain("Lane");
        Customer loaded = sf.fromTransaction(s -> s.find(Customer.class, customer.id));
        assertThat(loaded.home.street).isEqualTo("Bea Lane 3");
        assertThat(loaded.work.street).isEqualTo("Bea Road 2");
        assertThat(workBefore).isNotNull();
    }

    @Test
    void projectionsStatelessReadsAndAColdFactory_open() {
        Customer customer = customer("Cy");
        sf.inTransaction(s -> s.persist(customer));

        Object[] projected = sf.fromTransaction(s -> s.createSelectionQuery(
                        "select c.home.street, c.work.postcode, c.home.geo.latitude from Customer c where c.id = :id",
                        Object[].class)
                .setParameter("id", customer.id)
                .getSingleResult());
        Customer stateless = sf.fromStatelessTransaction(s -> s.get(Customer.class, customer.id));
        String cold;
        try (SessionFactory other = factory()) {
            cold = other.fromTransaction(s -> s.find(Customer.class, customer.id).work.street);
        }

        assertThat(projected).containsExactly("Cy Street 1", "YO1 Cy", new BigDecimal("53.8008"));
        assertThat(stateless.home.postcode).isEqualTo("LS1 Cy");
        assertThat(cold).isEqualTo("Cy Road 2");
    }

    /** A whole embeddable can be selected and tested for null; the database cannot compare or order one. */
    @Test
    void wholeEmbeddable_selectedOpens_comparedOrOrderedIsRefusedWhenCompiled() {
        Customer customer = customer("Di");
        sf.inTransaction(s -> s.persist(customer));

        Address home = sf.fromTransaction(s -> s.createSelectionQuery(
                        "select c.home from Customer c where c.id = :id and c.work is not null", Address.class)
                .setParameter("id", customer.id)
                .getSingleResult());
        assertThat(home.street).isEqualTo("Di Street 1");
        assertThat(home.geo.latitude).isEqualTo(new BigDecimal("53.8008"));

        sf.getStatistics().clear();
        for (String[] refused : new String[][] {
            {"from Customer c where c.home = :address", "the where clause"},
            {"from Customer c order by c.work", "order by"},
            {"select c.home, count(*) from Customer c group by 1", "group by"},
            {"select distinct c.home from Customer c", "select distinct"},
        }) {
            assertThatThrownBy(() -> sf.inTransaction(s -> {
                        var query = s.createSelectionQuery(refused[0], Object.class);
                        if (refused[0].contains(":address")) {
                            query.setParameter("address", home);
                        }
                        query.getResultList();
                    }))
                    .as(refused[0])
                    .isExactlyInstanceOf(FieldCryptException.class)
                    .hasMessageStartingWith(
                            "query refused: Customer.altitude is @Encrypted and is used in " + refused[1] + ".");
        }
        assertThat(sf.getStatistics().getPrepareStatementCount())
                .as("no SQL ran")
                .isZero();
    }

    /** An embeddable has no state array slot to hold a value read without its key until the load opens it. */
    @Test
    void nativeQueryWithEntityResult_isRefusedNamingTheAttribute() {
        Customer customer = customer("Hal");
        sf.inTransaction(s -> s.persist(customer));

        assertThatThrownBy(() -> sf.fromTransaction(
                        s -> s.createNativeQuery("select * from customer where id = :id", Customer.class)
                                .setParameter("id", customer.id)
                                .getSingleResult()))
                .isInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith("cannot read Customer.")
                .hasMessageContaining("inside an embeddable")
                .hasMessageNotContaining("Hal Street");
    }

    @Test
    void statelessInsert_seals() throws SQLException {
        Supplier supplier = new Supplier();
        supplier.id = 77L;
        supplier.address = new Address("Hull", "Dock 9", "HU1", new BigDecimal("53.7457"));

        sf.inStatelessTransaction(s -> s.insert(supplier));

        assertThat(supplier.address.street).isEqualTo("Dock 9");
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select street from supplier where id = 77")) {
            rs.next();
            assertThat(Envelope.isWellFormed(rs.getBytes(1))).isTrue();
        }
        Supplier loaded = sf.fromTransaction(s -> s.find(Supplier.class, 77L));
        assertThat(loaded.address.street).isEqualTo("Dock 9");
    }

    @Test
    void valueCopiedToAnotherColumnTableOrRow_isRefused() throws SQLException {
        Customer first = customer("Di");
        Customer second = customer("Ed");
        Supplier supplier = new Supplier();
        supplier.id = 88L;
        supplier.address = new Address("Bath", "Abbey 1", "BA1", BigDecimal.ONE);
        sf.inTransaction(s -> {
            s.persist(first);
            s.persist(second);
            s.persist(supplier);
        });

        copy("customer", "street", first.id, "customer", "work_street", first.id);
        copy("customer", "street", first.id, "customer", "street", second.id);
        copy("customer", "street", first.id, "supplier", "street", 88L);

        for (Long id : new Long[] {first.id, second.id}) {
            assertThatThrownBy(() -> sf.fromTransaction(s -> s.find(Customer.class, id)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageNotContaining("Di Street");
        }
        assertThatThrownBy(() -> sf.fromTransaction(s -> s.find(Supplier.class, 88L)))
                .isInstanceOf(DecryptionException.class);
    }

    @Test
    void everyStoredValueReferencesAStoredDataKey() throws SQLException {
        sf.inTransaction(s -> s.persist(customer("Flo")));

        Set<Long> keys = new HashSet<>();
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select id from fieldcrypt_data_key")) {
            while (rs.next()) {
                keys.add(rs.getLong(1));
            }
        }
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select street, work_street, latitude, work_latitude from customer")) {
            while (rs.next()) {
                for (int i = 1; i <= 4; i++) {
                    byte[] value = rs.getBytes(i);
                    if (value != null) {
                        assertThat(keys).contains(Envelope.parse(value).dataKeyId());
                    }
                }
            }
        }
    }

    @Test
    void queriesComputingOnAnEmbeddedEncryptedAttribute_areRefused() {
        assertThatThrownBy(() -> sf.inTransaction(
                        s -> s.createSelectionQuery("from Customer c where c.home.street = :street", Customer.class)
                                .setParameter("street", "x")
                                .getResultList()))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith("query refused: Customer.street is @Encrypted and is used in the where clause");
    }

    @Test
    void reEncryption_movesEmbeddedValuesToo() {
        Customer customer = customer("Gil");
        sf.inTransaction(s -> s.persist(customer));
        FieldCrypt admin = FieldCrypt.of(sf);

        admin.rotateDataKeys();
        admin.reEncrypt();

        assertThat(admin.status().totalValuesUnderRetiredKeys()).isZero();
        Customer loaded = sf.fromTransaction(s -> s.find(Customer.class, customer.id));
        assertThat(loaded.work.geo.latitude).isEqualTo(new BigDecimal("53.9590"));
    }

    private static byte[] bytes(String column, Long id) throws SQLException {
        return RawColumns.read(db, "customer", column, id);
    }

    private static String text(String column, Long id) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement st = c.prepareStatement("select " + column + " from customer where id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static void copy(
            String fromTable, String fromColumn, Long fromId, String toTable, String toColumn, Long toId)
            throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement st = c.prepareStatement("update " + toTable + " set " + toColumn + " = (select "
                        + fromColumn + " from " + fromTable + " where id = ?) where id = ?")) {
            st.setLong(1, fromId);
            st.setLong(2, toId);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
    }
}
