package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.hibernate.internal.EncryptionListener;
import io.fieldcrypt.hibernate.internal.FieldCryptIntegrator;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerGroup;
import org.hibernate.jpa.boot.spi.IntegratorProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The integrator stays out of factories without encrypted attributes, and never registers twice. */
@ExtendWith(TestPostgres.class)
class IntegratorTest {

    @Entity(name = "PlainNote")
    static class PlainNote {
        @Id
        Long id;

        String text;
    }

    @Test
    void noEncryptedAttribute_noListenerAndNoTable(TestDatabase db) throws SQLException {
        try (SessionFactory sf = Factories.build(db, Map.of(), PlainNote.class).unwrap(SessionFactory.class)) {
            sf.inTransaction(s -> s.persist(note()));

            assertThat(fieldcryptListeners(sf)).isZero();
            try (Connection c = db.connect();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select to_regclass('fieldcrypt_data_key') is null")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        }
    }

    @Test
    void integratorAppliedTwice_listenersRegisteredOnce(TestDatabase db) {
        Map<String, Object> settings = Factories.local(LocalMasterKeys.spec("k1"), "k1");
        settings.put("hibernate.integrator_provider", (IntegratorProvider) () -> List.of(new FieldCryptIntegrator()));
        try (SessionFactory sf = Factories.build(db, settings, Patient.class).unwrap(SessionFactory.class)) {
            Patient patient = new Patient("Twice", "123-45-0000", null, null, null);
            sf.inTransaction(s -> s.persist(patient));

            assertThat(fieldcryptListeners(sf)).isEqualTo(1);
            String read = sf.fromTransaction(s -> s.find(Patient.class, patient.id).nationalId);
            assertThat(read).isEqualTo("123-45-0000");
        }
    }

    private static PlainNote note() {
        PlainNote note = new PlainNote();
        note.id = 1L;
        note.text = "plain";
        return note;
    }

    private static long fieldcryptListeners(SessionFactory sf) {
        EventListenerGroup<?> group =
                sf.unwrap(SessionFactoryImplementor.class).getEventListenerGroups().eventListenerGroup_PRE_INSERT;
        // listeners() is deprecated; visiting each listener is the supported way to see them.
        AtomicLong count = new AtomicLong();
        group.fireEventOnEachListener(count, (listener, counter) -> {
            if (listener instanceof EncryptionListener) {
                counter.incrementAndGet();
            }
        });
        return count.get();
    }
}
