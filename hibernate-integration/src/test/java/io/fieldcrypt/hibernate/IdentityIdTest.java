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
import org.hibernate.SessionFactory;
import org.hibernate.StatelessSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Entities whose id comes from an IDENTITY column: the INSERT carries values sealed for no row, and an UPDATE in the
 * same transaction seals them for the generated id.
 */
@ExtendWith(TestPostgres.class)
class IdentityIdTest {

    @Entity(name = "Subscriber")
    @Table(name = "subscriber")
    static class Subscriber {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;

        @Encrypted
        String email;

        @Encrypted(storage = Encrypted.Storage.TEXT)
        @Column(length = 300)
        String phone;

        String plan;
    }

    private static SessionFactory factory(TestDatabase db) {
        return Factories.build(db, Factories.local(LocalMasterKeys.spec("k1"), "k1"), Subscriber.class)
                .unwrap(SessionFactory.class);
    }

    private static Subscriber subscriber(String email, String phone) {
        Subscriber subscriber = new Subscriber();
        subscriber.email = email;
        subscriber.phone = phone;
        subscriber.plan = "basic";
        return subscriber;
    }

    /**
     * A trigger records what the INSERT itself carried (as a CDC feed or a replica of the statement would): that
     * value never opens, for any row; the row holds a value sealed for its generated id.
     */
    @Test
    void insert_identityId_sealedForGeneratedIdAndInsertedValueNeverOpens(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("identity_seal");
        try (SessionFactory sf = factory(db)) {
            try (Connection c = db.connect();
                    Statement st = c.createStatement()) {
                st.execute("create table inserted_email (id bigint, email bytea)");
                st.execute("create function capture() returns trigger language plpgsql as $$ begin"
                        + " insert into inserted_email values (new.id, new.email); return new; end $$");
                st.execute("create trigger capture after insert on subscriber for each row execute function"
                        + " capture()");
            }
            Subscriber first = subscriber("ada@example.org", "+33 1 23 45 67 89");
            Subscriber second = subscriber("bob@example.org", null);
            sf.inTransaction(s -> {
                s.persist(first);
                s.persist(second);
            });

            assertThat(first.id).isNotNull();
            sf.getCache().evictAllRegions();
            Subscriber read = sf.fromTransaction(s -> s.find(Subscriber.class, first.id));
            assertThat(read.email).isEqualTo("ada@example.org");
            assertThat(read.phone).isEqualTo("+33 1 23 45 67 89");
            assertThat(sf.fromTransaction(s -> s.find(Subscriber.class, second.id)).phone)
                    .isNull();

            byte[] inserted = RawColumns.read(db, "inserted_email", "email", first.id);
            assertThat(Envelope.isWellFormed(inserted)).isTrue();
            assertThat(RawColumns.read(db, "subscriber", "email", first.id)).isNotEqualTo(inserted);
            RawColumns.write(db, "subscriber", "email", first.id, inserted);
            assertThatThrownBy(() -> sf.fromTransaction(s -> s.find(Subscriber.class, first.id)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("cannot decrypt Subscriber.email of Subscriber#" + first.id
                            + ": decryption failed: authentication tag mismatch");
        }
    }

    @Test
    void statelessInsertOutsideTransaction_refusedAndNothingWritten(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("identity_notx");
        try (SessionFactory sf = factory(db);
                StatelessSession session = sf.openStatelessSession()) {
            assertThatThrownBy(() -> session.insert(subscriber("eve@example.org", null)))
                    .isInstanceOf(FieldCryptException.class)
                    .hasMessage("cannot insert Subscriber with @Encrypted attributes outside a transaction: its id"
                            + " comes from an IDENTITY column, so its values are sealed for that id by an UPDATE"
                            + " right after the INSERT, and both must commit together. Insert it in a"
                            + " transaction, or map the id to a sequence");
            try (Connection c = db.connect();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select count(*) from subscriber")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void statelessInsertInTransaction_sealedForGeneratedId(TestDatabase shared) {
        TestDatabase db = shared.newSchema("identity_stateless");
        try (SessionFactory sf = factory(db)) {
            Subscriber subscriber = subscriber("cy@example.org", "112");
            sf.inStatelessTransaction(s -> s.insert(subscriber));

            assertThat(sf.fromTransaction(s -> s.find(Subscriber.class, subscriber.id)).email)
                    .isEqualTo("cy@example.org");
        }
    }
}
