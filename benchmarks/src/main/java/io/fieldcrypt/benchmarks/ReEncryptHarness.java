package io.fieldcrypt.benchmarks;

import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.hibernate.ReEncryptOptions;
import io.fieldcrypt.hibernate.ReEncryptReport;
import jakarta.persistence.PersistenceConfiguration;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the re-encryption job: N rows with three encrypted attributes are written, their data keys rotated, and
 * then, side by side in one run, (a) a plain JDBC job of the same shape (keyset batches, rows locked, a
 * compare-and-set UPDATE per row sent as a JDBC batch) rewrites one plain column of every row, and (b) {@code FieldCrypt.reEncrypt()} rewrites the three encrypted
 * columns. Prints rows/s of each, their ratio, and the peak heap of each phase.
 *
 * <pre>
 * mvn -q -pl benchmarks -am install -DskipTests
 * java -Xmx256m -cp "$(mvn -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=/dev/stdout):benchmarks/target/classes" \
 *     io.fieldcrypt.benchmarks.ReEncryptHarness --rows 100000
 * </pre>
 */
@Command(
        name = "reencrypt-harness",
        mixinStandardHelpOptions = true,
        description = "Re-encryption throughput against a plain JDBC update of the same rows, and peak heap.")
public final class ReEncryptHarness implements Callable<Integer> {

    @Option(names = "--rows", description = "rows to write and re-encrypt (default: ${DEFAULT-VALUE})")
    int rows = 100_000;

    @Option(names = "--batch", description = "rows per transaction (default: ${DEFAULT-VALUE})")
    int batch = 500;

    @CommandLine.Mixin
    BenchDatabase database = new BenchDatabase();

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ReEncryptHarness()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return database.run(this::run);
    }

    private int run(String url) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        HibernatePersistenceConfiguration configuration = new HibernatePersistenceConfiguration("harness")
                .managedClass(BenchRecord.class)
                .jdbcUrl(url)
                .jdbcCredentials(database.user, database.password)
                .schemaToolingAction(Action.CREATE)
                .property(PersistenceConfiguration.JDBC_DRIVER, "org.postgresql.Driver")
                .property("hibernate.jdbc.batch_size", "500")
                .property(FieldCryptSettings.KMS_PROVIDER, "local")
                .property(
                        FieldCryptSettings.LOCAL_MASTER_KEYS,
                        "bench:" + Base64.getEncoder().encodeToString(key))
                .property(FieldCryptSettings.KMS_KEY_ID, "bench")
                .property(FieldCryptSettings.DATA_KEY_TABLE, "bench_data_key");
        try (SessionFactory sf = configuration.createEntityManagerFactory().unwrap(SessionFactory.class)) {
            seed(sf);
            FieldCrypt admin = FieldCrypt.of(sf);
            admin.rotateDataKeys();

            resetPeaks();
            long plainStart = System.nanoTime();
            long plainRows = plainUpdate(url);
            double plainSeconds = (System.nanoTime() - plainStart) / 1e9;
            long plainPeak = peakHeap();

            resetPeaks();
            ReEncryptReport report = admin.reEncrypt(ReEncryptOptions.defaults().withBatchSize(batch));
            double reSeconds = report.duration().toNanos() / 1e9;
            long rePeak = peakHeap();

            double plainRate = plainRows / plainSeconds;
            double reRate = report.reEncrypted() / reSeconds;
            System.out.printf(
                    "rows: %d, batch: %d, max heap: %d MiB, JVM: %s%n",
                    rows, batch, Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
            System.out.printf(
                    "plain JDBC update : %8.0f rows/s (%d rows in %.1f s), peak heap %d MiB%n",
                    plainRate, plainRows, plainSeconds, plainPeak >> 20);
            System.out.printf(
                    "reEncrypt         : %8.0f rows/s (%d rows in %.1f s), peak heap %d MiB, remaining %d%n",
                    reRate, report.reEncrypted(), reSeconds, rePeak >> 20, report.remaining());
            System.out.printf("ratio reEncrypt / plain: %.2fx%n", reRate / plainRate);
            return report.remaining() == 0 && report.reEncrypted() == rows ? 0 : 1;
        }
    }

    private void seed(SessionFactory sf) {
        for (int from = 0; from < rows; from += batch) {
            int start = from;
            sf.inStatelessTransaction(s -> {
                for (int i = start; i < Math.min(start + batch, rows); i++) {
                    s.insert(BenchRecord.of(i));
                }
            });
        }
    }

    /** A job of the same shape as reEncrypt on a plain column: keyset batches, rows locked, batched CAS updates. */
    private long plainUpdate(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, database.user, database.password)) {
            return PlainKeysetUpdate.run(c, "BenchRecord", "plainName", "for update skip locked", batch);
        }
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
