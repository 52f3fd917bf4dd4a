package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.hibernate.testing.HygieneChild;
import io.fieldcrypt.hibernate.testing.StoredKeys;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write, read, update, rotate, re-encrypt, rewrap, tamper cycle in a child JVM with fieldcrypt logging at TRACE and
 * Hibernate's SQL, bind-parameter and extraction logging on: no plaintext and no key (raw, hex or base64) may
 * appear in anything it prints, exception messages and stack traces included. The master key is given as
 * {@code file:...}: Hibernate itself logs every persistence unit property at DEBUG.
 */
@ExtendWith(TestPostgres.class)
class SecretsHygieneTest {

    @Test
    void wholeCycleWithVerboseLogging_noPlaintextNorKeyInOutput(TestDatabase db, @TempDir Path dir) throws Exception {
        byte[] masterKey = LocalMasterKeys.randomKey();
        String keys = "k1:" + Base64.getEncoder().encodeToString(masterKey);
        Path keyFile = dir.resolve("master-keys");
        Files.writeString(keyFile, keys);

        String output = runChild(db, "file:" + keyFile);

        assertThat(output)
                .contains("hygiene run complete")
                .contains("rotation: RotationReport[retired=")
                .contains("cannot decrypt Patient.nationalId of Patient#")
                .contains("query refused: Patient.nationalId is @Encrypted")
                .containsPattern("(?i)insert into Patient")
                .contains("binding parameter")
                .contains("[encrypted]")
                .contains("new data key")
                .contains("opened by native SQL: true")
                .contains("stateless get opened: true")
                .contains("projected rows: 6")
                .contains("found by blind index: 2")
                .contains("found by lookup: 1")
                .contains("orphaned indexes cleared: {Subscriber.emailIndex=0}");
        List<String> secrets = new ArrayList<>(List.of(
                HygieneChild.NATIONAL_ID,
                HygieneChild.EMAIL,
                HygieneChild.BIRTH.toString(),
                HygieneChild.BALANCE.toPlainString(),
                "987654321"));
        secrets.addAll(encodings(masterKey));
        for (byte[] dataKey : dataKeys(db, keys)) {
            secrets.addAll(encodings(dataKey));
        }
        assertThat(secrets).hasSizeGreaterThan(10);
        for (String secret : secrets) {
            assertThat(output).as("output must not contain a secret").doesNotContainIgnoringCase(secret);
        }
    }

    private static List<String> encodings(byte[] key) {
        return List.of(
                HexFormat.of().formatHex(key),
                Base64.getEncoder().encodeToString(key),
                Base64.getUrlEncoder().withoutPadding().encodeToString(key),
                new String(key, StandardCharsets.ISO_8859_1).substring(0, 16));
    }

    /** Every key the child made (data keys, scope keys, blind index root keys), unwrapped here independently. */
    private static List<byte[]> dataKeys(TestDatabase db, String keys) throws Exception {
        KeyProvider provider = KeyProviders.local(keys);
        List<byte[]> dataKeys = new ArrayList<>();
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select id from fieldcrypt_data_key")) {
            while (rs.next()) {
                dataKeys.add(StoredKeys.plaintext(c, provider, rs.getLong(1)));
            }
        }
        assertThat(dataKeys).hasSizeGreaterThanOrEqualTo(10);
        return dataKeys;
    }

    private static String runChild(TestDatabase db, String keys) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-Dorg.jboss.logging.provider=slf4j",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
                        "-Dorg.slf4j.simpleLogger.log.io.fieldcrypt=trace",
                        "-Dorg.slf4j.simpleLogger.log.org.hibernate.orm.jdbc.bind=trace",
                        "-Dorg.slf4j.simpleLogger.log.org.hibernate.orm.jdbc.extract=trace",
                        "-cp",
                        System.getProperty("java.class.path"),
                        HygieneChild.class.getName(),
                        db.jdbcUrl(),
                        db.user(),
                        db.password(),
                        keys)
                .redirectErrorStream(true)
                .start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream in = child.getInputStream()) {
            in.transferTo(output);
        }
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = output.toString(StandardCharsets.UTF_8);
        assertThat(child.exitValue())
                .as(text.length() > 4000 ? text.substring(text.length() - 4000) : text)
                .isZero();
        return text;
    }
}
