package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.hibernate.testing.ReEncryptChild;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A re-encryption run whose JVM is killed mid-run resumes from its checkpoint and loses nothing. */
@ExtendWith(TestPostgres.class)
class ReEncryptKilledTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    @Test
    void childJvmKilledMidRun_rerunResumesAndCompletes(TestDatabase db) throws Exception {
        try (SessionFactory sf =
                Factories.build(db, Factories.local(KEYS, "k1"), Patient.class).unwrap(SessionFactory.class)) {
            sf.inTransaction(s -> {
                for (int i = 0; i < 300; i++) {
                    s.persist(new Patient("p" + i, "id-" + i, null, null, null));
                }
            });
            FieldCrypt admin = FieldCrypt.of(sf);
            admin.rotateDataKeys();

            long doneByChild = runChildAndKillAfterBatches(db, 3);

            long left = admin.status().valuesUnderRetiredKeys().get("Patient.nationalId");
            assertThat(left).isLessThanOrEqualTo(300 - doneByChild).isGreaterThan(0);
            ReEncryptReport resumed = admin.reEncrypt();

            assertThat(resumed.scanned()).isEqualTo(left);
            assertThat(resumed.remaining()).isZero();
            List<String> values = sf.fromTransaction(
                    s -> s.createSelectionQuery("select p.name from Patient p order by id", String.class)
                            .getResultList());
            assertThat(values).hasSize(300);
            sf.inTransaction(s -> s.createSelectionQuery("from Patient", Patient.class)
                    .getResultList()
                    .forEach(p -> assertThat(p.nationalId).isEqualTo("id-" + p.name.substring(1))));
        }
    }

    /** Starts the child, waits for {@code batches} progress lines, kills it; returns the rows it had done. */
    private static long runChildAndKillAfterBatches(TestDatabase db, int batches) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        ReEncryptChild.class.getName(),
                        db.jdbcUrl(),
                        db.user(),
                        db.password(),
                        KEYS)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long done = 0;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            int seen = 0;
            for (String line = out.readLine(); line != null && seen < batches; line = out.readLine()) {
                if (line.startsWith("batch ")) {
                    done = Long.parseLong(line.substring(6));
                    seen++;
                }
            }
            assertThat(seen).as("progress lines from the child").isEqualTo(batches);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        return done;
    }
}
