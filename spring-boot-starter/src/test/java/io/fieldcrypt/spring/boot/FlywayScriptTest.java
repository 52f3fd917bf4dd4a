package io.fieldcrypt.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The Flyway script is fieldcrypt's own DDL with the default names, so that schema mode {@code validate} accepts what
 * it made (the end-to-end test boots on it); this keeps it from drifting when the DDL changes.
 */
class FlywayScriptTest {

    @Test
    void flywayScript_isTheJarsDdlWithTheDefaultNames() throws IOException {
        String dataKeys = resource("/io/fieldcrypt/schema/postgresql.sql")
                .replace("${table}", "fieldcrypt_data_key")
                .replace("${index}", "fieldcrypt_data_key_state_idx");
        String checkpoints = resource("/io/fieldcrypt/hibernate/schema/checkpoint.sql")
                .replace("${table}", "fieldcrypt_data_key_checkpoint");

        String script = resource("/io/fieldcrypt/flyway/R__fieldcrypt_schema.sql");

        assertThat(script).endsWith(dataKeys + checkpoints).doesNotContain("${");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = FlywayScriptTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
