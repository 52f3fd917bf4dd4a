package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A truncated (8-bit) blind index: its stored values collide by design, queries on it are refused except through
 * {@link FieldCrypt#findBy}, which returns exactly the rows whose source matches.
 */
@ExtendWith(TestPostgres.class)
class TruncatedIndexTest {

    private static final int ROWS = 2_000;
    private static TestDatabase db;
    private static SessionFactory sf;

    @Entity(name = "Visitor")
    @Table(name = "visitor")
    static class Visitor {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE)
        Long id;

        @Encrypted
        String email;

        @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD, bits = 8)
        @Column(name = "email_bidx")
        String emailIndex;
    }

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = Factories.build(db, Factories.local(LocalMasterKeys.spec("k1"), "k1"), Visitor.class)
                .unwrap(SessionFactory.class);
        sf.inTransaction(s -> {
            for (int i = 0; i < ROWS; i++) {
                Visitor visitor = new Visitor();
                visitor.email = "visitor" + i + "@example.org";
                s.persist(visitor);
            }
            for (String email : List.of("ada@example.org", "ADA@example.org", "Ada@Example.org")) {
                Visitor visitor = new Visitor();
                visitor.email = email;
                s.persist(visitor);
            }
        });
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    @Test
    void storedValuesAreOneByte_andCollide() throws SQLException {
        assertThat(query("select distinct octet_length(email_bidx) from visitor"))
                .containsExactly(1L);
        assertThat(query("select count(distinct email_bidx) from visitor"))
                .singleElement()
                .satisfies(distinct -> assertThat(distinct).isLessThanOrEqualTo(256L));
    }

    /**
     * 2,003 rows in 256 hash values: some value is shared by at least 8 rows of distinct e-mails (pigeonhole), so the
     * lookup of one of them must remove the others.
     */
    @Test
    void findBy_returnsExactlyTheTrueMatches_fromCandidatesThatCollide() throws SQLException {
        long crowded = query("select id from visitor where email_bidx = (select email_bidx from visitor group by"
                        + " email_bidx order by count(*) desc limit 1) order by id limit 1")
                .get(0);
        long candidates = query("select count(*) from visitor where email_bidx = (select email_bidx from visitor where"
                        + " id = " + crowded + ")")
                .get(0);
        String email = sf.fromTransaction(s -> s.find(Visitor.class, crowded).email);

        List<Visitor> found = sf.fromTransaction(s ->
                FieldCrypt.of(sf).findBy(s, Visitor.class, "emailIndex", email.toUpperCase(java.util.Locale.ROOT)));
        List<Visitor> ada =
                sf.fromTransaction(s -> FieldCrypt.of(sf).findBy(s, Visitor.class, "emailIndex", "ada@EXAMPLE.org"));

        assertThat(candidates).as("rows sharing the hash").isGreaterThanOrEqualTo(8);
        assertThat(found).singleElement().satisfies(v -> assertThat(v.id).isEqualTo(crowded));
        assertThat(ada).hasSize(3).allSatisfy(v -> assertThat(v.email).isEqualToIgnoringCase("ada@example.org"));
    }

    @Test
    void queriesOnTheTruncatedHandle_refusedWhenCompiled() {
        assertThatThrownBy(() -> sf.inTransaction(
                        s -> s.createSelectionQuery("from Visitor v where v.emailIndex = :e", Visitor.class)
                                .setParameter("e", "ada@example.org")
                                .getResultList()))
                .isExactlyInstanceOf(FieldCryptException.class)
                .hasMessageStartingWith(
                        "query refused: Visitor.emailIndex is a truncated @BlindIndex (fewer than 128" + " bits)")
                .hasMessageEndingWith("FieldCrypt.of(emf).findBy(session, entity, \"emailIndex\", value)");
    }

    private static List<Long> query(String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            List<Long> values = new java.util.ArrayList<>();
            while (rs.next()) {
                values.add(rs.getLong(1));
            }
            return values;
        }
    }
}
