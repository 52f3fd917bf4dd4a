package io.fieldcrypt.hibernate.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.hibernate.lifecycle.model.Clinician;
import io.fieldcrypt.hibernate.lifecycle.model.Person;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Envelope version 2 binds the table: in a JOINED hierarchy the root's and the subclass's tables share the entity
 * name (the root's), the row id, a column name and here even the data key scope, so a value copied from one table
 * to the other opened under version 1.
 */
@ExtendWith(TestPostgres.class)
class TableBindingTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    @Test
    void joinedSubclassColumn_valueCopiedFromRootTableSameColumnAndScope_loadFailsAuthentication(TestDatabase db)
            throws SQLException {
        try (SessionFactory sf = Factories.build(db, Factories.local(KEYS, "k1"), Person.class, Clinician.class)
                .unwrap(SessionFactory.class)) {
            Clinician clinician = new Clinician("public note", "private note");
            sf.inTransaction(s -> s.persist(clinician));
            long id = clinician.id;
            byte[] rootNote = raw(db, "lc_person", id);
            assertThat(rootNote[1]).isEqualTo((byte) 2);
            assertThat(raw(db, "lc_clinician", id)[1]).isEqualTo((byte) 2);
            sf.getCache().evictAllRegions();
            String before = sf.fromTransaction(s -> s.find(Clinician.class, id).privateNote);
            assertThat(before).isEqualTo("private note");

            try (Connection c = db.connect();
                    PreparedStatement copy = c.prepareStatement(
                            "update lc_clinician set note = (select note from lc_person where id = ?) where id = ?")) {
                copy.setLong(1, id);
                copy.setLong(2, id);
                assertThat(copy.executeUpdate()).isEqualTo(1);
            }
            assertThat(raw(db, "lc_clinician", id)).isEqualTo(rootNote);
            sf.getCache().evictAllRegions();

            assertThatThrownBy(() -> sf.inTransaction(s -> s.find(Clinician.class, id)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageStartingWith("cannot decrypt Clinician.privateNote of Person#" + id
                            + ": decryption failed: authentication tag mismatch")
                    .hasMessageNotContaining("public note")
                    .hasCauseInstanceOf(DecryptionException.class);
        }
    }

    private static byte[] raw(TestDatabase db, String table, long id) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement select = c.prepareStatement("select note from " + table + " where id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getBytes(1);
            }
        }
    }
}
