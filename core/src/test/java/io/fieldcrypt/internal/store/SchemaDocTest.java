package io.fieldcrypt.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/SCHEMA.md shows the DDL the jar ships, word for word, so that the two cannot drift apart. */
class SchemaDocTest {

    @Test
    void schemaDoc_containsShippedDdl() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "SCHEMA.md"));

        assertThat(doc).contains(PostgresDataKeyStore.ddl("fieldcrypt_data_key"));
    }
}
