package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.SessionFactory;
import org.hibernate.resource.jdbc.spi.StatementInspector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An attacker who can write the database and has read this application's SQL (which carries the token that marks a
 * keyed read) plants, in one row's column, an exact copy of what the read expression gives for another row. Mapped
 * reads see the planted bytes behind the row's own key and refuse them; a {@code Session}'s native entity query reads
 * the bare column, opens it as the other row's value, and the load refuses it because the row differs. No second-level
 * cache is configured: the check does not depend on one.
 */
@ExtendWith(TestPostgres.class)
class PlantedKeyedReadTest {

    private static final List<String> STATEMENTS = new CopyOnWriteArrayList<>();

    /** Records every SQL statement, as an attacker reading the server's statement log would. */
    public static final class Recorder implements StatementInspector {
        @Override
        public String inspect(String sql) {
            STATEMENTS.add(sql);
            return sql;
        }
    }

    @jakarta.persistence.Embeddable
    static class Card {
        @Encrypted
        String number;
    }

    @jakarta.persistence.Entity(name = "Holder")
    @jakarta.persistence.Table(name = "holder")
    static class Holder {
        @jakarta.persistence.Id
        Long id;

        @jakarta.persistence.Embedded
        Card card;
    }

    @Test
    void plantedCopyOfAnotherRowsKeyedRead_isRefused(TestDatabase db) throws Exception {
        Map<String, Object> settings = Factories.local(LocalMasterKeys.spec("k1"), "k1");
        settings.put("hibernate.session_factory.statement_inspector", Recorder.class.getName());
        try (SessionFactory sf =
                Factories.build(db, settings, Patient.class, Holder.class).unwrap(SessionFactory.class)) {
            Patient ada = new Patient("Ada", "123-45-6789", null, null, null);
            Patient victim = new Patient("Victim", "000-00-0000", null, null, null);
            sf.inTransaction(s -> {
                s.persist(ada);
                s.persist(victim);
            });
            sf.inTransaction(s -> s.find(Patient.class, ada.id));
            String token = token();

            try (Connection c = db.connect();
                    PreparedStatement plant = c.prepareStatement("update Patient set nationalId ="
                            + " convert_to(?, 'UTF8') || int8send(cast(? as bigint))"
                            + " || (select nationalId from Patient where id = ?) where id = ?")) {
                plant.setString(1, token);
                plant.setLong(2, ada.id);
                plant.setLong(3, ada.id);
                plant.setLong(4, victim.id);
                assertThat(plant.executeUpdate()).isEqualTo(1);
            }

            assertThatThrownBy(() -> sf.fromTransaction(
                            s -> s.createNativeQuery("select * from Patient where id = :id", Patient.class)
                                    .setParameter("id", victim.id)
                                    .getSingleResult()))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("Patient.nationalId of Patient#" + victim.id)
                    .hasMessageContaining("opened for another row")
                    .hasMessageNotContaining("123-45-6789");
            assertThatThrownBy(() -> sf.fromTransaction(s -> s.find(Patient.class, victim.id)))
                    .isInstanceOf(DecryptionException.class);

            Holder first = holder(1L, "4111-1111");
            Holder second = holder(2L, "5500-0000");
            sf.inTransaction(s -> {
                s.persist(first);
                s.persist(second);
            });
            try (Connection c = db.connect();
                    PreparedStatement plant = c.prepareStatement("update holder set number ="
                            + " convert_to(?, 'UTF8') || int8send(1) || (select number from holder where id = 1)"
                            + " where id = 2")) {
                plant.setString(1, token);
                assertThat(plant.executeUpdate()).isEqualTo(1);
            }
            assertThatThrownBy(() -> sf.fromTransaction(
                            s -> s.createNativeQuery("select * from holder where id = 2", Holder.class)
                                    .getSingleResult()))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("opened for another row")
                    .hasMessageNotContaining("4111");
        }
    }

    private static Holder holder(Long id, String number) {
        Holder holder = new Holder();
        holder.id = id;
        holder.card = new Card();
        holder.card.number = number;
        return holder;
    }

    private static String token() {
        Pattern quotedDigits = Pattern.compile("'(\\d{16})'");
        for (String sql : STATEMENTS) {
            Matcher matcher = quotedDigits.matcher(sql);
            if (matcher.find()) {
                return matcher.group(1);
            }
        }
        throw new AssertionError("no keyed read in " + STATEMENTS);
    }
}
