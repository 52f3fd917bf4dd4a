package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.RawColumns;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.SQLException;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * StatelessSession.upsert (what a Jakarta Data {@code @Save} runs) seals like an insert or an update; for a versioned
 * entity see {@link StatelessSessionTest}.
 */
@ExtendWith(TestPostgres.class)
class UpsertTest {

    @Entity(name = "Setting")
    @Table(name = "setting")
    static class Setting {
        @Id
        Long id;

        @Encrypted
        String secret;
    }

    @Test
    void upsert_newThenExisting_rowHoldsEnvelopesAndEntityKeepsPlaintext(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("upsert_plain");
        try (SessionFactory sf = Factories.build(
                        db, Factories.local(LocalMasterKeys.spec("k1"), "k1"), Setting.class, Patient.class)
                .unwrap(SessionFactory.class)) {
            Setting setting = new Setting();
            setting.id = 7L;
            setting.secret = "first";
            sf.inStatelessTransaction(s -> s.upsert(setting));
            assertThat(setting.secret).isEqualTo("first");
            byte[] first = RawColumns.read(db, "setting", "secret", 7);
            assertThat(Envelope.isWellFormed(first)).isTrue();

            setting.secret = "second";
            sf.inStatelessTransaction(s -> s.upsert(setting));

            assertThat(setting.secret).isEqualTo("second");
            assertThat(RawColumns.read(db, "setting", "secret", 7)).isNotEqualTo(first);
            assertThat(sf.fromTransaction(s -> s.find(Setting.class, 7L)).secret)
                    .isEqualTo("second");
        }
    }
}
