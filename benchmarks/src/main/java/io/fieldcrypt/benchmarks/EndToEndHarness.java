package io.fieldcrypt.benchmarks;

import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.fieldcrypt.testing.KmsWireServer;
import jakarta.persistence.PersistenceConfiguration;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernateHints;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The end-to-end harness: N entities with three encrypted attributes (a 40-character String, a LocalDate, a
 * BigDecimal) and three plain ones are inserted with JDBC batching, read back, then updated on one encrypted
 * attribute, side by side in one run (plaintext and fieldcrypt twice each, in ABBA order, averaged) with (a) the
 * same entity in plaintext and (b) pgcrypto's
 * {@code pgp_sym_encrypt} through {@code @ColumnTransformer}. Then, with {@code --kms-delay-ms}, the AWS provider
 * against the KMS wire server slowed by that delay per call: KMS calls for N inserts and for a cold read, and the
 * throughput with the cache effectively off (max uses 1) for contrast.
 *
 * <pre>
 * mvn -q -B install -DskipTests
 * mvn -q -B -pl benchmarks dependency:build-classpath -Dmdep.outputFile=/tmp/bench.cp
 * java -cp "$(cat /tmp/bench.cp):benchmarks/target/classes" io.fieldcrypt.benchmarks.EndToEndHarness --rows 100000
 * </pre>
 */
@Command(
        name = "end-to-end-harness",
        mixinStandardHelpOptions = true,
        description = "Insert, read and update throughput: encrypted against plaintext and pgcrypto, blind indexes, and"
                + " KMS calls.")
public final class EndToEndHarness implements Callable<Integer> {

    private static final int BATCH = 500;

    @Option(names = "--rows", description = "entities per variant (default: ${DEFAULT-VALUE})")
    int rows = 100_000;

    @Option(
            names = "--rounds",
            description = "ABCCBA rounds of plaintext, bytea and fieldcrypt (default: ${DEFAULT-VALUE})")
    int rounds = 3;

    @Option(names = "--pgcrypto-rows", description = "entities for the pgcrypto variant, 0 = same as --rows")
    int pgcryptoRows;

    @Option(
            names = "--kms-delay-ms",
            description = "delay per KMS call for the KMS section (default: ${DEFAULT-VALUE})")
    int kmsDelayMs = 20;

    @Option(
            names = "--identity-rows",
            description = "also insert this many entities with IDENTITY ids against a sequence, 0 = skip (default:"
                    + " ${DEFAULT-VALUE})")
    int identityRows = 0;

    @Option(names = "--no-cache-rows", description = "entities written with max uses 1 (default: ${DEFAULT-VALUE})")
    int noCacheRows = 200;

    @Option(
            names = "--index-rows",
            description = "also measure a blind index on this many entities (insert and update with and without one,"
                    + " lookups by it against a plain indexed column), 0 = skip (default: ${DEFAULT-VALUE})")
    int indexRows = 0;

    @Option(
            names = "--lookups",
            description = "lookups per variant in the blind index section (default: ${DEFAULT-VALUE})")
    int lookups = 5_000;

    @CommandLine.Mixin
    BenchDatabase database = new BenchDatabase();

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new EndToEndHarness()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return database.run(this::run);
    }

    /** Rows per second of each phase of one variant. */
    private record Phases(double insert, double read, double update) {
        Phases mean(Phases other) {
            return new Phases((insert + other.insert) / 2, (read + other.read) / 2, (update + other.update) / 2);
        }

        /** @return these rates divided by {@code other}'s, phase by phase */
        Phases over(Phases other) {
            return new Phases(insert / other.insert, read / other.read, update / other.update);
        }

        /** @return the median of each phase */
        static Phases median(List<Phases> all) {
            return new Phases(
                    median(all.stream().mapToDouble(Phases::insert).toArray()),
                    median(all.stream().mapToDouble(Phases::read).toArray()),
                    median(all.stream().mapToDouble(Phases::update).toArray()));
        }

        private static double median(double[] values) {
            double[] sorted = values.clone();
            java.util.Arrays.sort(sorted);
            int middle = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }

        @Override
        public String toString() {
            return String.format("insert %.2fx, read %.2fx, update %.2fx", insert, read, update);
        }
    }

    private static List<Phases> ratios(List<Phases> rounds, List<Phases> baseline) {
        List<Phases> ratios = new ArrayList<>();
        for (int i = 0; i < rounds.size(); i++) {
            ratios.add(rounds.get(i).over(baseline.get(i)));
        }
        return ratios;
    }

    private int run(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, database.user, database.password);
                Statement st = c.createStatement()) {
            st.execute("create extension if not exists pgcrypto");
            // Each run has a new random master key: keys an earlier run left behind (a blind index root key is kept
            // for as long as its index) could never be unwrapped.
            st.execute("drop table if exists bench_e2e_key");
        }
        Map<String, Phases> results = new LinkedHashMap<>();
        try (SessionFactory sf = factory(url, Map.of())) {
            // Warm-up, not reported: JIT and connections for all three variants.
            measure(sf, PlainRecord.class, PlainRecord::new, 5_000);
            measure(sf, BytesRecord.class, BytesRecord::new, 5_000);
            measure(sf, BenchRecord.class, BenchRecord::new, 5_000);
            measure(sf, PgcryptoRecord.class, PgcryptoRecord::new, 1_000);
            // ABCCBA order per round, averaged, so that no variant always runs first (order effects are large here);
            // the ratios of each round are taken side by side, and their medians reported.
            List<Phases> plainRounds = new ArrayList<>();
            List<Phases> bytesRounds = new ArrayList<>();
            List<Phases> encryptedRounds = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                Phases plainFirst = measure(sf, PlainRecord.class, PlainRecord::new, rows);
                Phases bytesFirst = measure(sf, BytesRecord.class, BytesRecord::new, rows);
                Phases encryptedFirst = measure(sf, BenchRecord.class, BenchRecord::new, rows);
                Phases encryptedSecond = measure(sf, BenchRecord.class, BenchRecord::new, rows);
                Phases bytesSecond = measure(sf, BytesRecord.class, BytesRecord::new, rows);
                Phases plainSecond = measure(sf, PlainRecord.class, PlainRecord::new, rows);
                plainRounds.add(plainFirst.mean(plainSecond));
                bytesRounds.add(bytesFirst.mean(bytesSecond));
                encryptedRounds.add(encryptedFirst.mean(encryptedSecond));
                System.out.printf(
                        "round %d: fieldcrypt / bytea %s, / plaintext %s%n",
                        round + 1,
                        encryptedRounds.get(round).over(bytesRounds.get(round)),
                        encryptedRounds.get(round).over(plainRounds.get(round)));
            }
            results.put("plaintext", Phases.median(plainRounds));
            results.put("bytea", Phases.median(bytesRounds));
            results.put("fieldcrypt", Phases.median(encryptedRounds));
            System.out.printf(
                    "median of the rounds' ratios: fieldcrypt / bytea %s, fieldcrypt / plaintext %s%n",
                    Phases.median(ratios(encryptedRounds, bytesRounds)),
                    Phases.median(ratios(encryptedRounds, plainRounds)));
            results.put(
                    "pgcrypto",
                    measure(sf, PgcryptoRecord.class, PgcryptoRecord::new, pgcryptoRows > 0 ? pgcryptoRows : rows));
        }
        Phases plain = results.get("plaintext");
        System.out.printf(
                "%nrows: %d (pgcrypto: %d), batch %d, JVM %s%n",
                rows, pgcryptoRows > 0 ? pgcryptoRows : rows, BATCH, System.getProperty("java.version"));
        System.out.printf(
                "%-11s %12s %12s %12s %9s %9s %9s%n",
                "variant", "insert/s", "read/s", "update/s", "insert x", "read x", "update x");
        results.forEach((name, phases) -> System.out.printf(
                "%-11s %12.0f %12.0f %12.0f %8.2fx %8.2fx %8.2fx%n",
                name,
                phases.insert,
                phases.read,
                phases.update,
                phases.insert / plain.insert,
                phases.read / plain.read,
                phases.update / plain.update));
        Phases fieldcrypt = results.get("fieldcrypt");
        Phases pgcrypto = results.get("pgcrypto");
        System.out.printf(
                "fieldcrypt / pgcrypto: insert %.1fx, read %.1fx, update %.1fx%n",
                fieldcrypt.insert / pgcrypto.insert,
                fieldcrypt.read / pgcrypto.read,
                fieldcrypt.update / pgcrypto.update);
        if (identityRows > 0) {
            identitySection(url);
        }
        if (indexRows > 0) {
            indexSection(url);
        }
        if (kmsDelayMs >= 0) {
            kmsSection(url);
        }
        return 0;
    }

    /**
     * Inserts with IDENTITY ids against the same with a sequence, plaintext and fieldcrypt, side by side (ABBA): what
     * Hibernate's IDENTITY costs by itself (no batching), and what fieldcrypt's sealing UPDATE adds.
     */
    private void identitySection(String url) {
        try (SessionFactory sf = factory(url, Map.of())) {
            measure(sf, PlainIdentityRecord.class, PlainIdentityRecord::new, 1_000);
            measure(sf, IdentityRecord.class, IdentityRecord::new, 1_000);
            Map<String, Double> inserts = new LinkedHashMap<>();
            inserts.put("plaintext, sequence", 0.0);
            inserts.put("plaintext, IDENTITY", 0.0);
            inserts.put("fieldcrypt, sequence", 0.0);
            inserts.put("fieldcrypt, IDENTITY", 0.0);
            for (int round = 0; round < 2; round++) {
                boolean sequenceFirst = round == 0;
                for (int step = 0; step < 2; step++) {
                    boolean sequence = sequenceFirst == (step == 0);
                    inserts.merge(
                            sequence ? "plaintext, sequence" : "plaintext, IDENTITY",
                            (sequence
                                                    ? measure(sf, PlainRecord.class, PlainRecord::new, identityRows)
                                                    : measure(
                                                            sf,
                                                            PlainIdentityRecord.class,
                                                            PlainIdentityRecord::new,
                                                            identityRows))
                                            .insert
                                    / 2,
                            Double::sum);
                    inserts.merge(
                            sequence ? "fieldcrypt, sequence" : "fieldcrypt, IDENTITY",
                            (sequence
                                                    ? measure(sf, BenchRecord.class, BenchRecord::new, identityRows)
                                                    : measure(
                                                            sf,
                                                            IdentityRecord.class,
                                                            IdentityRecord::new,
                                                            identityRows))
                                            .insert
                                    / 2,
                            Double::sum);
                }
            }
            double base = inserts.get("plaintext, sequence");
            System.out.printf("%nIDENTITY ids, %d rows, inserts/s (ABBA mean):%n", identityRows);
            inserts.forEach(
                    (name, perSecond) -> System.out.printf("%-22s %10.0f %8.2fx%n", name, perSecond, perSecond / base));
            System.out.printf(
                    "fieldcrypt IDENTITY / fieldcrypt sequence: %.2fx; fieldcrypt IDENTITY / plaintext IDENTITY:"
                            + " %.2fx%n",
                    inserts.get("fieldcrypt, IDENTITY") / inserts.get("fieldcrypt, sequence"),
                    inserts.get("fieldcrypt, IDENTITY") / inserts.get("plaintext, IDENTITY"));
        }
    }

    /**
     * A full-length blind index over one of the three encrypted attributes, side by side (ABBA): insert and update
     * against the same entity without the index, and lookups of single rows by the index against lookups by a plain
     * B-tree-indexed column of a plaintext entity (each lookup a transaction loading one entity).
     */
    private void indexSection(String url) {
        try (SessionFactory sf = factory(url, Map.of())) {
            measure(sf, BenchRecord.class, BenchRecord::new, 2_000);
            measure(sf, IndexedRecord.class, IndexedRecord::new, 2_000);
            Phases without = measure(sf, BenchRecord.class, BenchRecord::new, indexRows);
            Phases with = measure(sf, IndexedRecord.class, IndexedRecord::new, indexRows);
            Phases with2 = measure(sf, IndexedRecord.class, IndexedRecord::new, indexRows);
            Phases without2 = measure(sf, BenchRecord.class, BenchRecord::new, indexRows);
            with = with.mean(with2);
            without = without.mean(without2);
            measure(sf, PlainIndexedRecord.class, PlainIndexedRecord::new, indexRows);
            lookups(sf, "from PlainIndexedRecord r where r.secretName = :name", lookups / 5);
            lookups(sf, "from IndexedRecord r where r.secretNameIndex = :name", lookups / 5);
            double plain1 = lookups(sf, "from PlainIndexedRecord r where r.secretName = :name", lookups);
            double index1 = lookups(sf, "from IndexedRecord r where r.secretNameIndex = :name", lookups);
            double index2 = lookups(sf, "from IndexedRecord r where r.secretNameIndex = :name", lookups);
            double plain2 = lookups(sf, "from PlainIndexedRecord r where r.secretName = :name", lookups);
            double plain = (plain1 + plain2) / 2;
            double index = (index1 + index2) / 2;
            System.out.printf("%nblind index, %d rows (ABBA means):%n", indexRows);
            System.out.printf(
                    "insert/s: %.0f with, %.0f without: %.2fx; update/s: %.0f with, %.0f without: %.2fx%n",
                    with.insert,
                    without.insert,
                    with.insert / without.insert,
                    with.update,
                    without.update,
                    with.update / without.update);
            System.out.printf(
                    "lookups/s, one entity each: %.0f by blind index (%.0f, %.0f), %.0f by plain indexed column (%.0f,"
                            + " %.0f): %.2fx%n",
                    index, index1, index2, plain, plain1, plain2, index / plain);
        }
    }

    /** Loads {@code count} single rows by name (each in a transaction of its own); returns lookups per second. */
    private double lookups(SessionFactory sf, String hql, int count) {
        java.util.Random random = new java.util.Random(42);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String name =
                    String.format("%-40s", "name-" + random.nextInt(indexRows)).replace(' ', 'x');
            int found = sf.fromTransaction(s -> s.createSelectionQuery(hql, RecordBase.class)
                    .setParameter("name", name.toUpperCase(java.util.Locale.ROOT))
                    .getResultList()
                    .size());
            if (found != 1) {
                throw new IllegalStateException(hql + " found " + found + " rows for one name");
            }
        }
        return count / seconds(start);
    }

    private <T extends RecordBase> Phases measure(SessionFactory sf, Class<T> type, Supplier<T> make, int count) {
        sf.inTransaction(s ->
                s.createMutationQuery("delete from " + type.getSimpleName()).executeUpdate());
        String variant = type.getSimpleName();
        PhaseEvent phase = PhaseEvent.begin(variant, "insert");
        long start = System.nanoTime();
        for (int from = 0; from < count; from += BATCH) {
            int first = from;
            sf.inTransaction(s -> {
                for (int i = first; i < Math.min(first + BATCH, count); i++) {
                    T record = make.get();
                    record.fill(i);
                    s.persist(record);
                }
            });
        }
        double insert = count / seconds(start);
        phase.commit();

        phase = PhaseEvent.begin(variant, "read");
        start = System.nanoTime();
        long names = sf.fromTransaction(s -> s.createSelectionQuery("from " + type.getSimpleName(), type)
                .setHint(HibernateHints.HINT_READ_ONLY, true)
                .setHint(HibernateHints.HINT_FETCH_SIZE, 5000)
                .getResultStream()
                .filter(r -> r.secretName() != null)
                .count());
        double read = names / seconds(start);
        phase.commit();

        phase = PhaseEvent.begin(variant, "update");
        start = System.nanoTime();
        for (int page = 0; page * BATCH < count; page++) {
            int offset = page * BATCH;
            sf.inTransaction(s -> s.createSelectionQuery("from " + type.getSimpleName() + " order by id", type)
                    .setFirstResult(offset)
                    .setMaxResults(BATCH)
                    .getResultList()
                    .forEach(r -> r.secretName(r.secretName().toUpperCase(java.util.Locale.ROOT))));
        }
        double update = count / seconds(start);
        phase.commit();
        if (names != count) {
            throw new IllegalStateException(type.getSimpleName() + ": read " + names + " of " + count);
        }
        return new Phases(insert, read, update);
    }

    private void kmsSection(String url) {
        try (KmsWireServer kms = KmsWireServer.start();
                KmsClient client = kms.newClient(3)) {
            String key = kms.createKey();
            kms.delayEachRequest(Duration.ofMillis(kmsDelayMs));
            Map<String, Object> aws = Map.of(
                    FieldCryptSettings.KMS_PROVIDER,
                    "aws",
                    FieldCryptSettings.KMS_KEY_ID,
                    key,
                    FieldCryptSettings.KMS_CLIENT,
                    client,
                    FieldCryptSettings.DATA_KEY_TABLE,
                    "bench_kms_key");
            try (SessionFactory sf = factory(url, aws)) {
                kms.resetCounts();
                Phases cached = measure(sf, BenchRecord.class, BenchRecord::new, rows);
                System.out.printf(
                        "%nKMS wire server, %d ms per call: %d rows inserted, read, updated with %d"
                                + " GenerateDataKey and %d Decrypt calls (%s); insert %.0f rows/s%n",
                        kmsDelayMs,
                        rows,
                        kms.requestCount("GenerateDataKey"),
                        kms.requestCount("Decrypt"),
                        FieldCrypt.of(sf).stats(),
                        cached.insert);
            }
            try (SessionFactory cold = factory(url, aws)) {
                kms.resetCounts();
                long read = cold.fromTransaction(s -> s.createSelectionQuery("from BenchRecord", BenchRecord.class)
                        .getResultStream()
                        .count());
                System.out.printf("cold read of %d rows: %d Decrypt calls%n", read, kms.requestCount("Decrypt"));
            }
            Map<String, Object> noCache = new LinkedHashMap<>(aws);
            noCache.put(FieldCryptSettings.DATA_KEY_MAX_USES, "1");
            try (SessionFactory sf = factory(url, noCache)) {
                kms.resetCounts();
                long start = System.nanoTime();
                for (int from = 0; from < noCacheRows; from += BATCH) {
                    int first = from;
                    sf.inTransaction(s -> {
                        for (int i = first; i < Math.min(first + BATCH, noCacheRows); i++) {
                            s.persist(BenchRecord.of(i));
                        }
                    });
                }
                System.out.printf(
                        "max uses 1 (cache effectively off): %d rows inserted at %.0f rows/s with %d"
                                + " GenerateDataKey calls%n",
                        noCacheRows, noCacheRows / seconds(start), kms.requestCount("GenerateDataKey"));
            }
        }
    }

    private SessionFactory factory(String url, Map<String, Object> fieldcrypt) {
        HibernatePersistenceConfiguration configuration = new HibernatePersistenceConfiguration("e2e")
                .managedClasses(List.of(
                        PlainRecord.class,
                        BytesRecord.class,
                        BenchRecord.class,
                        PgcryptoRecord.class,
                        PlainIdentityRecord.class,
                        IdentityRecord.class,
                        IndexedRecord.class,
                        PlainIndexedRecord.class))
                .jdbcUrl(url)
                .jdbcCredentials(database.user, database.password)
                .schemaToolingAction(Action.UPDATE)
                .property(PersistenceConfiguration.JDBC_DRIVER, "org.postgresql.Driver")
                .property("hibernate.jdbc.batch_size", String.valueOf(BATCH))
                .property("hibernate.order_inserts", "true")
                .property("hibernate.order_updates", "true");
        if (fieldcrypt.isEmpty()) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            configuration
                    .property(FieldCryptSettings.KMS_PROVIDER, "local")
                    .property(
                            FieldCryptSettings.LOCAL_MASTER_KEYS,
                            "bench:" + Base64.getEncoder().encodeToString(key))
                    .property(FieldCryptSettings.KMS_KEY_ID, "bench")
                    .property(FieldCryptSettings.DATA_KEY_TABLE, "bench_e2e_key");
        } else {
            fieldcrypt.forEach(configuration::property);
        }
        return configuration.createEntityManagerFactory().unwrap(SessionFactory.class);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
