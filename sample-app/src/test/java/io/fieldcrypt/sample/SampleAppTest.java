package io.fieldcrypt.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every command end to end against the test PostgreSQL, checking what it prints and how it exits. */
@ExtendWith(TestPostgres.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SampleAppTest {

    @TempDir
    static Path dataDir;

    private final TestDatabase db;

    SampleAppTest(TestDatabase db) {
        this.db = db;
    }

    record Result(int exitCode, String out, String err) {}

    private Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--jdbc-url",
                db.jdbcUrl(),
                "--jdbc-user",
                db.user(),
                "--jdbc-password",
                db.password(),
                "--data-dir",
                dataDir.toString()));
        return runRaw(all.toArray(String[]::new));
    }

    private static Result runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SampleApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    @Order(1)
    void demo_showsCiphertextPlaintextAndRefusedMove() {
        Result demo = run("demo");

        assertThat(demo.exitCode()).isZero();
        assertThat(demo.out())
                .contains("nationalId      database: \\xfc0201")
                .containsPattern("found: Grace \\(Patient#\\d+\\), national id 987-65-4321")
                .contains("application: 123-45-6789")
                .contains("diagnosisNotes  database: fc1:")
                .containsPattern("load refused: cannot decrypt Patient.nationalId of Patient#\\d+: decryption failed:"
                        + " authentication tag mismatch")
                .contains("(the original ciphertext is back in place)")
                // One scope key per encrypted column, and the root key of the national id's blind index.
                .containsPattern("Key provider calls: 5 GenerateDataKey, 0 Decrypt");
        assertThat(demo.err()).contains("WARNING: using the DEVELOPMENT master key");
        assertThat(Files.exists(dataDir.resolve("development-master-key.txt"))).isTrue();
    }

    @Test
    @Order(2)
    void seed_writesRowsWithProgress() {
        Result seed = run("seed", "--rows", "300");

        assertThat(seed.exitCode()).isZero();
        assertThat(seed.out()).contains("300/300 rows").contains("wrote 300 patients");
    }

    @Test
    @Order(3)
    void rotateReencryptDestroy_fullCycle() {
        Result rotate = run("rotate-data-keys");
        assertThat(rotate.exitCode()).isZero();
        assertThat(rotate.out()).containsPattern("retired \\d+ data keys at ");

        Result before = run("status");
        assertThat(before.out()).contains("RETIRED").containsPattern("Patient.nationalId\\s+303");

        Result reencrypt = run("reencrypt", "--batch", "50");
        assertThat(reencrypt.exitCode()).isZero();
        assertThat(reencrypt.out()).contains("re-encrypted 303 rows").contains("0 remaining");

        Result tooSoon = run("destroy-retired");
        assertThat(tooSoon.exitCode()).isEqualTo(1);
        assertThat(tooSoon.err())
                .contains("error: cannot destroy retired data keys yet: an instance may still"
                        + " encrypt new values with one of keys [")
                .doesNotContain("\tat ");

        Result destroy = run("destroy-retired", "--min-retired-age", "PT0S");
        assertThat(destroy.exitCode()).isZero();
        assertThat(destroy.out()).containsPattern("destroyed \\d+ retired data keys");

        Result after = run("status");
        assertThat(after.out()).doesNotContain("RETIRED").containsPattern("Patient.nationalId\\s+0");
        Result demo = run("demo");
        assertThat(demo.exitCode()).isZero();
    }

    @Test
    @Order(4)
    void rewrap_underSameKey_reportsAllCurrent() {
        Result rewrap = run("rewrap");

        assertThat(rewrap.exitCode()).isZero();
        assertThat(rewrap.out()).containsPattern("rewrapped 0, already current \\d+, failed 0");
    }

    @Test
    void badArguments_exit2WithUsage() {
        Result badNumber = runRaw("seed", "--rows", "many");
        assertThat(badNumber.exitCode()).isEqualTo(2);
        assertThat(badNumber.err()).contains("Invalid value for option '--rows'");

        Result unknown = runRaw("launch");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument at index 0: 'launch'");
    }

    @Test
    void unreachableDatabase_oneLineAndExit1() {
        Result down =
                runRaw("status", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/none", "--data-dir", dataDir.toString());

        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err())
                .contains("error: database: Connection to 127.0.0.1:1 refused")
                .doesNotContain("\tat ");
    }

    @Test
    void unreachableKms_oneLineAndExit1() {
        // Credentials for the SDK's default chain, so that the failure is the endpoint's, not missing credentials.
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        Result down;
        try {
            down = run(
                    "demo",
                    "--kms-key-id",
                    "arn:aws:kms:us-east-1:111122223333:key/none",
                    "--kms-endpoint",
                    "http://127.0.0.1:1",
                    "--kms-region",
                    "us-east-1");
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }

        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err())
                .contains("error: master key arn:aws:kms:us-east-1:111122223333:key/none cannot be used: KMS"
                        + " DescribeKey for key arn:aws:kms:us-east-1:111122223333:key/none failed before KMS"
                        + " answered")
                .doesNotContain("\tat ");
    }

    /** The migrate command turns a plaintext table into an encrypted one; run again, it has nothing left to do. */
    @Test
    void migrate_encryptsAPlaintextTableInPlace_andFindsRowsByBlindIndex() {
        Result migrate = run("migrate", "--rows", "300", "--batch", "100");
        Result again = run("migrate");

        assertThat(migrate.exitCode()).as(migrate.err()).isZero();
        assertThat(migrate.out())
                .contains("wrote 300 plaintext referrals")
                .contains("before: referral1@example.org")
                .contains("blind index filled from the plaintext: 300 rows")
                .contains("encrypted 300 values (300 read, 0 skipped), 0 remaining")
                .contains("after:  fc1:")
                .contains("found by blind index (REFERRAL7@example.org): [7]")
                .contains("plaintext left: 0");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("encrypted 0 values (0 read, 0 skipped), 0 remaining");
    }

    @Test
    void help_onEveryCommand() {
        for (String command : List.of(
                "demo", "seed", "status", "rewrap", "rotate-data-keys", "reencrypt", "destroy-retired", "migrate")) {
            Result help = runRaw(command, "--help");
            assertThat(help.exitCode()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: fieldcrypt-sample " + command);
        }
    }

    @Test
    void defaultEmbeddedDatabase_keepsDataBetweenRuns(@TempDir Path ownData) {
        Result seed = runRaw("seed", "--rows", "5", "--data-dir", ownData.toString());
        Result status = runRaw("status", "--data-dir", ownData.toString());

        assertThat(seed.exitCode()).isZero();
        assertThat(status.exitCode()).isZero();
        // Four data keys, one per encrypted column, and the root key of the national id's blind index.
        assertThat(status.out()).containsPattern("ACTIVE\\s+5 under sample-dev");
        assertThat(Files.isDirectory(ownData.resolve("postgres"))).isTrue();
    }
}
