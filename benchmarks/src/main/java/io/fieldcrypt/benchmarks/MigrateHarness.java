package io.fieldcrypt.benchmarks;

import io.fieldcrypt.hibernate.EncryptExistingReport;
import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.hibernate.ReEncryptOptions;
import jakarta.persistence.PersistenceConfiguration;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code FieldCrypt.encryptExisting()} against a plain JDBC job of the same shape on the same rows: keyset batches,
 * rows locked, one compare-and-set UPDATE per row sent as a JDBC batch, rewriting the text column with another value
 * of the same length. Each is measured twice, in ABBA order, on freshly seeded plaintext rows.
 *
 * <pre>
 * java -cp "$(cat /tmp/bench.cp):benchmarks/target/classes" io.fieldcrypt.benchmarks.MigrateHarness --rows 100000
 * </pre>
 */
@Command(
        name = "migrate-harness",
        mixinStandardHelpOptions = true,
        description = "encryptExisting throughput against a plain JDBC update of the same rows.")
public final class MigrateHarness implements Callable<Integer> {

    @Option(names = "--rows", description = "plaintext rows to encrypt (default: ${DEFAULT-VALUE})")
    int rows = 100_000;

    @Option(names = "--batch", description = "rows per transaction (default: ${DEFAULT-VALUE})")
    int batch = 500;

    @CommandLine.Mixin
    BenchDatabase database = new BenchDatabase();

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new MigrateHarness()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return database.run(this::run);
    }

    private int run(String url) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try (Connection c = DriverManager.getConnection(url, database.user, database.password);
                Statement st = c.createStatement()) {
            st.execute("drop table if exists bench_migrate_key");
            st.execute("drop table if exists LegacyRecord");
        }
        HibernatePersistenceConfiguration configuration = new HibernatePersistenceConfiguration("migrate")
                .managedClass(LegacyRecord.class)
                .jdbcUrl(url)
                .jdbcCredentials(database.user, database.password)
                .schemaToolingAction(Action.CREATE)
                .property(PersistenceConfiguration.JDBC_DRIVER, "org.postgresql.Driver")
                .property(FieldCryptSettings.KMS_PROVIDER, "local")
                .property(
                        FieldCryptSettings.LOCAL_MASTER_KEYS,
                        "bench:" + Base64.getEncoder().encodeToString(key))
                .property(FieldCryptSettings.KMS_KEY_ID, "bench")
                .property(FieldCryptSettings.DATA_KEY_TABLE, "bench_migrate_key")
                .property(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "LegacyRecord.secretText");
        try (SessionFactory sf = configuration.createEntityManagerFactory().unwrap(SessionFactory.class)) {
            FieldCrypt admin = FieldCrypt.of(sf);
            double plain = 0;
            double encrypt = 0;
            for (int round = 0; round < 2; round++) {
                for (int step = 0; step < 2; step++) {
                    seed(url);
                    if ((round == 0) == (step == 0)) {
                        long start = System.nanoTime();
                        long done = plainUpdate(url);
                        plain += done / ((System.nanoTime() - start) / 1e9) / 2;
                    } else {
                        EncryptExistingReport report = admin.encryptExisting(
                                ReEncryptOptions.defaults().withBatchSize(batch));
                        if (report.encrypted() != rows || report.remaining() != 0) {
                            throw new IllegalStateException("encryptExisting: " + report);
                        }
                        encrypt += report.encrypted() / (report.duration().toNanos() / 1e9) / 2;
                    }
                }
            }
            System.out.printf("rows: %d, batch: %d, JVM: %s%n", rows, batch, System.getProperty("java.version"));
            System.out.printf("plain JDBC update : %8.0f rows/s (ABBA mean)%n", plain);
            System.out.printf("encryptExisting   : %8.0f rows/s (ABBA mean)%n", encrypt);
            System.out.printf("ratio encryptExisting / plain: %.2fx%n", encrypt / plain);
            return 0;
        }
    }

    /** Replaces every row with a fresh plaintext one. */
    private void seed(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, database.user, database.password);
                Statement st = c.createStatement()) {
            st.execute("truncate LegacyRecord");
            st.execute("insert into LegacyRecord (id, secretText) select i, rpad('name-' || i, 40, 'x')"
                    + " from generate_series(1, " + rows + ") i");
            st.execute("vacuum analyze LegacyRecord");
        }
    }

    /** The same job on plain values: keyset batches, rows locked, batched compare-and-set updates. */
    private long plainUpdate(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, database.user, database.password)) {
            return PlainKeysetUpdate.run(c, "LegacyRecord", "secretText", "for no key update", batch);
        }
    }
}
