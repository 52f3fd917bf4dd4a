package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that a destroyed data key leaves no copy in the ciphers that threads keep: a live heap dump (which forces a
 * full collection, so only reachable objects remain) is searched for the key's raw bytes. Before {@link AesGcm#forget}
 * existed, each thread that had used a key kept three: the AES raw key and key schedule, and GCM's last key.
 *
 * <p>The test holds no copy of a raw key while dumping: each key is built from an array wiped right after
 * {@link DataKeyMaterial#copyOf}, and the bytes to search for are recomputed from their generator after the dump. A
 * key still in use is searched for too, and must be found: that proves the dump is searchable at all.
 */
class AesGcmForgetTest {

    private static final int KEY_BYTES = 32;

    @TempDir
    Path dir;

    @Test
    void forget_thenDestroy_keyUsedOnTwoThreads_leavesNoCopyInHeap() throws Exception {
        assertForgottenOnTwoThreads(new KeyPattern(7, 13), new KeyPattern(11, 5), false);
    }

    @Test
    void destroy_thenForget_keyUsedOnTwoThreads_leavesNoCopyInHeap() throws Exception {
        assertForgottenOnTwoThreads(new KeyPattern(9, 17), new KeyPattern(13, 3), true);
    }

    @Test
    void open_withAnotherKeyAfterKeyDestroyedWithoutForget_scrubsTheDestroyedKeysCipher() throws Exception {
        KeyPattern destroyedPattern = new KeyPattern(15, 21);
        KeyPattern keptPattern = new KeyPattern(17, 1);
        ExecutorService freshThread = Executors.newSingleThreadExecutor();
        try {
            DataKeyMaterial destroyed = destroyedPattern.newKey();
            DataKeyMaterial kept = keptPattern.newKey();
            freshThread.submit(() -> roundTrip(destroyed)).get();
            destroyed.destroy();
            // Only decrypts with the next key: that alone would leave the destroyed key in GCM's last key.
            Envelope sealed = Envelope.parse(seal(kept));
            freshThread.submit(() -> open(sealed, kept)).get();

            long[] found = copiesInLiveHeap(destroyedPattern, keptPattern);

            assertThat(found[1])
                    .as("copies of a key in use (proves the dump is searchable)")
                    .isPositive();
            assertThat(found[0]).as("copies of the destroyed key").isZero();
            forgetAndDestroy(kept);
        } finally {
            freshThread.shutdownNow();
        }
    }

    @Test
    void forget_keySealedWithThenItsCipherTakenForDecryptionByAnotherKey_leavesNoCopyInHeap() throws Exception {
        KeyPattern forgottenPattern = new KeyPattern(19, 7);
        KeyPattern keptPattern = new KeyPattern(23, 11);
        ExecutorService freshThread = Executors.newSingleThreadExecutor();
        List<DataKeyMaterial> others = new ArrayList<>();
        try {
            DataKeyMaterial forgotten = forgottenPattern.newKey();
            DataKeyMaterial kept = keptPattern.newKey();
            freshThread.submit(() -> seal(forgotten)).get();
            // Fill the thread's other seven slots, then make the eighth key take the forgotten key's slot, only to
            // decrypt: the JDK's GCM keeps the forgotten key, its last encryption key, behind the new one.
            for (int i = 1; i < 8; i++) {
                others.add(randomKey());
            }
            others.add(kept);
            for (DataKeyMaterial other : others) {
                Envelope sealed = Envelope.parse(seal(other));
                freshThread.submit(() -> open(sealed, other)).get();
            }

            AesGcm.forget(forgotten);
            forgotten.destroy();
            long[] found = copiesInLiveHeap(forgottenPattern, keptPattern);

            assertThat(found[1])
                    .as("copies of a key in use (proves the dump is searchable)")
                    .isPositive();
            assertThat(found[0]).as("copies of the forgotten key").isZero();
        } finally {
            others.forEach(AesGcmForgetTest::forgetAndDestroy);
            freshThread.shutdownNow();
        }
    }

    @Test
    void forget_whileOtherThreadsUseTheKey_neverDisturbsThem() throws Exception {
        DataKeyMaterial key = randomKey();
        ExecutorService users = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                runs.add(users.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        roundTrip(key);
                    }
                    return null;
                }));
            }
            while (!runs.stream().allMatch(Future::isDone)) {
                AesGcm.forget(key);
            }

            for (Future<?> run : runs) {
                assertThat(run).succeedsWithin(Duration.ZERO);
            }
        } finally {
            users.shutdownNow();
            forgetAndDestroy(key);
        }
    }

    private void assertForgottenOnTwoThreads(KeyPattern forgottenPattern, KeyPattern keptPattern, boolean destroyFirst)
            throws Exception {
        ExecutorService otherThread = Executors.newSingleThreadExecutor();
        try {
            DataKeyMaterial forgotten = forgottenPattern.newKey();
            DataKeyMaterial kept = keptPattern.newKey();
            roundTrip(forgotten);
            roundTrip(kept);
            otherThread
                    .submit(() -> {
                        roundTrip(forgotten);
                        return roundTrip(kept);
                    })
                    .get();

            if (destroyFirst) {
                forgotten.destroy();
                AesGcm.forget(forgotten);
            } else {
                AesGcm.forget(forgotten);
                forgotten.destroy();
            }
            long[] found = copiesInLiveHeap(forgottenPattern, keptPattern);

            assertThat(found[1])
                    .as("copies of a key in use (proves the dump is searchable)")
                    .isPositive();
            assertThat(found[0]).as("copies of the forgotten key").isZero();
            forgetAndDestroy(kept);
        } finally {
            otherThread.shutdownNow();
        }
    }

    /** Seals and opens on the calling thread, so its cipher for {@code key} is last initialised to decrypt. */
    private static byte[] roundTrip(DataKeyMaterial key) throws AesGcm.KeyDestroyedException {
        return open(Envelope.parse(seal(key)), key);
    }

    private static byte[] seal(DataKeyMaterial key) throws AesGcm.KeyDestroyedException {
        return AesGcm.seal(7L, key, context(), plaintext());
    }

    private static byte[] open(Envelope sealed, DataKeyMaterial key) throws AesGcm.KeyDestroyedException {
        byte[] opened = AesGcm.open(sealed, key, context());
        assertThat(opened).isEqualTo(plaintext());
        return opened;
    }

    private static FieldContext context() {
        return FieldContext.of("Customer", "customer", "ssn", "42");
    }

    private static byte[] plaintext() {
        return "123-45-6789".getBytes(UTF_8);
    }

    private static DataKeyMaterial randomKey() {
        byte[] raw = TestKeys.randomKey();
        try {
            return DataKeyMaterial.copyOf(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static void forgetAndDestroy(DataKeyMaterial key) {
        key.destroy();
        AesGcm.forget(key);
    }

    /**
     * Dumps the live heap to a temporary file, then counts the copies of each pattern's bytes in it.
     *
     * @return the number of copies of each pattern, in order
     */
    private long[] copiesInLiveHeap(KeyPattern... patterns) throws IOException {
        Path dump = dir.resolve("heap.hprof");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), true);
        try {
            byte[][] needles = new byte[patterns.length][];
            for (int n = 0; n < patterns.length; n++) {
                needles[n] = patterns[n].bytes();
            }
            return occurrences(dump, needles);
        } finally {
            Files.delete(dump);
        }
    }

    /** Counts each needle in the file, streamed through a window that keeps the last {@code KEY_BYTES - 1} bytes. */
    private static long[] occurrences(Path file, byte[]... needles) throws IOException {
        long[] counts = new long[needles.length];
        byte[] window = new byte[(1 << 20) + KEY_BYTES - 1];
        int kept = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.read(window, kept, window.length - kept)) > 0) {
                int filled = kept + read;
                for (int start = 0; start + KEY_BYTES <= filled; start++) {
                    for (int n = 0; n < needles.length; n++) {
                        if (window[start] == needles[n][0]
                                && Arrays.equals(window, start, start + KEY_BYTES, needles[n], 0, KEY_BYTES)) {
                            counts[n]++;
                        }
                    }
                }
                kept = Math.min(KEY_BYTES - 1, filled);
                System.arraycopy(window, filled - kept, window, 0, kept);
            }
        }
        return counts;
    }

    /** A distinctive key, byte {@code i} being {@code i * step + offset}: its bytes are recomputed, never kept. */
    private record KeyPattern(int step, int offset) {

        DataKeyMaterial newKey() {
            byte[] raw = bytes();
            try {
                return DataKeyMaterial.copyOf(raw);
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        }

        byte[] bytes() {
            byte[] bytes = new byte[KEY_BYTES];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i * step + offset);
            }
            return bytes;
        }
    }
}
