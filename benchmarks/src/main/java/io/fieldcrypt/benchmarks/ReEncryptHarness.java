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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code FieldCrypt.reEncrypt()} against a plain JDBC job of the same shape on the same bytes: N rows of
 * {@link BenchRecord} are written, and a copy of their three encrypted {@code bytea} columns goes into a table of its
 * own; then, in ABBA rounds (plain, rotate + reEncrypt, rotate + reEncrypt, plain), (a) the plain job rewrites the
 * copy's three columns with random bytes of the same lengths, in keyset batches with the rows locked
 * {@code FOR UPDATE SKIP LOCKED}, one UPDATE per row by key sent as a JDBC batch, one transaction per batch, and (b)
 * {@code reEncrypt()} moves every value to a new data key. Each round's ratio is printed, and their median. Peak heap
 * is the sum of the heap pools' peaks during the re-encryptions.
 *
 * <pre>
 * java -Xmx256m -cp "$(cat /tmp/bench.cp):benchmarks/target/classes" io.fieldcrypt.benchmarks.ReEncryptHarness \
 *     --rows 100000 --rounds 3
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

    @Option(names = "--rounds", description = "ABBA rounds (default: ${DEFAULT-VALUE})")
    int rounds = 3;

    private static final List<String> BYTE_COLUMNS = List.of("secretName", "secretDate", "secretAmount");

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
            copyBytes(url);
            FieldCrypt admin = FieldCrypt.of(sf);
            List<Double> ratios = new ArrayList<>();
            long peak = 0;
            for (int round = 0; round < rounds; round++) {
                double plainFirst = plainRate(url);
                double[] first = reEncryptRate(admin);
                double[] second = reEncryptRate(admin);
                double plainSecond = plainRate(url);
                double plain = (plainFirst + plainSecond) / 2;
                double reEncrypt = (first[0] + second[0]) / 2;
                peak = Math.max(peak, (long) Math.max(first[1], second[1]));
                ratios.add(reEncrypt / plain);
                System.out.printf(
                        "round %d: plain job %8.0f rows/s, reEncrypt %8.0f rows/s, ratio %.2fx%n",
                        round + 1, plain, reEncrypt, reEncrypt / plain);
            }
            Collections.sort(ratios);
            double median = ratios.size() % 2 == 1
                    ? ratios.get(ratios.size() / 2)
                    : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2;
            System.out.printf(
                    "rows: %d, batch: %d, max heap: %d MiB, JVM: %s%n",
                    rows, batch, Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
            System.out.printf(
                    "median ratio reEncrypt / plain: %.2fx; peak heap during reEncrypt %d MiB%n", median, peak >> 20);
            return 0;
        }
    }

    /** @return rows per second of the plain job over the copy's three {@code bytea} columns */
    private double plainRate(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, database.user, database.password)) {
            PhaseEvent phase = PhaseEvent.begin("plain job", "re-encrypt");
            long start = System.nanoTime();
            long done = PlainKeysetUpdate.rewriteBytes(
                    c, "bench_reencrypt_bytes", BYTE_COLUMNS, "for update skip locked", batch);
            phase.commit();
            if (done != rows) {
                throw new IllegalStateException("plain job: " + done + " of " + rows + " rows");
            }
            return done / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** @return rows per second of a rotation's re-encryption, and the peak heap during it */
    private double[] reEncryptRate(FieldCrypt admin) {
        admin.rotateDataKeys();
        resetPeaks();
        PhaseEvent phase = PhaseEvent.begin("fieldcrypt", "re-encrypt");
        ReEncryptReport report = admin.reEncrypt(ReEncryptOptions.defaults().withBatchSize(batch));
        phase.commit();
        if (report.remaining() != 0 || report.reEncrypted() != rows) {
            throw new IllegalStateException("reEncrypt: " + report);
        }
        return new double[] {report.reEncrypted() / (report.duration().toNanos() / 1e9), peakHeap()};
    }

    /**
     * A copy of the entity's rows, every column, with the same key: what the plain job rewrites. Whole rows, so that
     * an update writes a new version of a row as wide as the entity's (PostgreSQL copies the whole row); both tables
     * are vacuumed and analysed alike before the first round.
     */
    private void copyBytes(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, database.user, database.password);
                Statement st = c.createStatement()) {
            st.execute("drop table if exists bench_reencrypt_bytes");
            st.execute("create table bench_reencrypt_bytes as select * from BenchRecord");
            st.execute("alter table bench_reencrypt_bytes add primary key (id)");
            st.execute("vacuum analyze bench_reencrypt_bytes");
            st.execute("vacuum analyze BenchRecord");
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
