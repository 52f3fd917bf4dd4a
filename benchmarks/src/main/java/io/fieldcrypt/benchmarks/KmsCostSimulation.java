package io.fieldcrypt.benchmarks;

import io.fieldcrypt.DataKeyStats;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.KeyProviderCall;
import io.fieldcrypt.testing.FakeTicker;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What KMS costs as fleets and years grow, by simulation over the real code path: N application instances (each a
 * {@link FieldEncryptor}, with its own data key cache, on a clock that the simulation advances) share one data key
 * table and one key provider; every simulated minute each instance writes values of S scopes and reads values written
 * at any earlier time (by any instance). Reported: key rows made (data keys and scope keys), KMS calls per 1,000
 * operations, and the data key cache hit rates. The cryptography is real; only time is simulated.
 *
 * <pre>
 * java -cp "$(cat /tmp/bench.cp):benchmarks/target/classes" io.fieldcrypt.benchmarks.KmsCostSimulation \
 *     --instances 1,5,20 --scopes 10 --days 1,7
 * </pre>
 */
@Command(
        name = "kms-cost-simulation",
        mixinStandardHelpOptions = true,
        description = "KMS calls and key rows as instances, scopes and time grow, by simulation.")
public final class KmsCostSimulation implements Callable<Integer> {

    @Option(names = "--instances", split = ",", description = "instance counts (default: ${DEFAULT-VALUE})")
    List<Integer> instances = List.of(1, 5, 20);

    @Option(names = "--scopes", split = ",", description = "encrypted attributes (scopes) (default: ${DEFAULT-VALUE})")
    List<Integer> scopes = List.of(10);

    @Option(names = "--days", split = ",", description = "simulated days (default: ${DEFAULT-VALUE})")
    List<Integer> days = List.of(1, 7);

    @Option(names = "--writes", description = "writes per instance per minute (default: ${DEFAULT-VALUE})")
    int writes = 6;

    @Option(names = "--reads", description = "reads per instance per minute (default: ${DEFAULT-VALUE})")
    int reads = 30;

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new KmsCostSimulation()).execute(args));
    }

    @Override
    public Integer call() {
        System.out.printf(
                "%9s %6s %5s %10s %14s %14s %12s %12s%n",
                "instances", "scopes", "days", "key rows", "KMS/1000 ops", "Decrypt/1000r", "enc. hits", "dec. hits");
        for (int n : instances) {
            for (int s : scopes) {
                for (int d : days) {
                    run(n, s, d);
                }
            }
        }
        return 0;
    }

    /** One configuration: N instances, S scopes, D days. */
    private void run(int n, int s, int d) {
        FakeTicker clock = new FakeTicker();
        InMemoryDataKeyStore store = new InMemoryDataKeyStore();
        KeyProvider provider = TestKeys.localProvider("sim");
        LongAdder kmsCalls = new LongAdder();
        LongAdder decryptCalls = new LongAdder();
        List<FieldEncryptor> fleet = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fleet.add(FieldEncryptor.builder()
                    .keyProvider(provider)
                    .masterKeyId("sim")
                    .dataKeyStore(store)
                    .ticker(clock)
                    .keyProviderListener(call -> {
                        kmsCalls.increment();
                        if (call.operation().equals(KeyProviderCall.DECRYPT)) {
                            decryptCalls.increment();
                        }
                    })
                    .build());
        }
        Random random = new Random(42);
        int minutes = d * 24 * 60;
        // One value per scope and minute, sealed by whichever instance wrote first that minute: what a later read of
        // "a value written then" finds (a value sealed under that minute's data key of that instance).
        byte[][][] written = new byte[s][minutes][];
        byte[] plaintext = "a value of forty bytes, as a name might".getBytes(StandardCharsets.UTF_8);
        long operations = 0;
        long readsDone = 0;
        for (int minute = 0; minute < minutes; minute++) {
            for (FieldEncryptor instance : fleet) {
                for (int w = 0; w < writes; w++) {
                    int scope = random.nextInt(s);
                    byte[] envelope = instance.seal("scope" + scope, context(scope, minute), plaintext);
                    if (written[scope][minute] == null) {
                        written[scope][minute] = envelope;
                    }
                    operations++;
                }
                for (int r = 0; r < reads; r++) {
                    int scope = random.nextInt(s);
                    int when = random.nextInt(minute + 1);
                    byte[] envelope = written[scope][when];
                    if (envelope != null) {
                        instance.open("scope" + scope, context(scope, when), envelope);
                        operations++;
                        readsDone++;
                    }
                }
            }
            clock.advance(Duration.ofMinutes(1));
        }
        long encHits = 0;
        long encMisses = 0;
        long decHits = 0;
        long decMisses = 0;
        for (FieldEncryptor instance : fleet) {
            DataKeyStats stats = instance.stats();
            encHits += stats.encryptionKeyHits();
            encMisses += stats.encryptionKeyMisses();
            decHits += stats.decryptionKeyHits();
            decMisses += stats.decryptionKeyMisses();
            instance.close();
        }
        System.out.printf(
                "%9d %6d %5d %10d %14.2f %14.2f %11.2f%% %11.2f%%%n",
                n,
                s,
                d,
                store.size(),
                kmsCalls.sum() * 1000.0 / operations,
                decryptCalls.sum() * 1000.0 / Math.max(1, readsDone),
                100.0 * encHits / Math.max(1, encHits + encMisses),
                100.0 * decHits / Math.max(1, decHits + decMisses));
    }

    /** The row a value of {@code scope} written at {@code minute} belongs to. */
    private static FieldContext context(int scope, int minute) {
        return FieldContext.of("Entity", "entity", "column" + scope, Integer.toString(minute));
    }
}
