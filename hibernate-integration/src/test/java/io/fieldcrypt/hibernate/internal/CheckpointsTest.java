package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.SchemaMode;
import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The jobs' checkpoint table: created and validated with the schema mode, documented word for word. */
@ExtendWith(TestPostgres.class)
class CheckpointsTest {

    @Test
    void schemaDoc_containsShippedDdl() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "SCHEMA.md"));

        assertThat(doc).contains(Checkpoints.ddl("fieldcrypt_data_key_checkpoint"));
    }

    @Test
    void validate_tableMissing_namesItAndTheFix(TestDatabase db) {
        ConnectionSource connections = ConnectionSource.of(db.dataSource());

        assertThatThrownBy(() -> Checkpoints.open(connections, "cp_absent", SchemaMode.VALIDATE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the checkpoint table cp_absent_checkpoint does not exist: create it with the DDL in"
                        + " docs/SCHEMA.md, or let fieldcrypt create it (schema mode CREATE)");
    }

    @Test
    void create_thenSaveReadClear_roundTrips(TestDatabase db) throws SQLException {
        ConnectionSource connections = ConnectionSource.of(db.dataSource());
        Checkpoints checkpoints = Checkpoints.open(connections, "cp_made", SchemaMode.CREATE);
        Checkpoints.open(connections, "cp_made", SchemaMode.VALIDATE);

        connections.inTransaction("save", ConfigurationException::new, connection -> {
            checkpoints.save(connection, "job", "patient", new String[] {"7", "x"});
            return null;
        });

        assertThat(checkpoints.read("job", "patient", 2)).containsExactly("7", "x");
        assertThat(checkpoints.read("job", "patient", 1))
                .as("a checkpoint of another key shape")
                .isNull();
        assertThat(checkpoints.read("other", "patient", 2)).isNull();
        checkpoints.clear("job", "patient");
        assertThat(checkpoints.read("job", "patient", 2)).isNull();
    }
}
