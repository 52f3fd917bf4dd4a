package io.fieldcrypt.benchmarks;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Seal and open through fieldcrypt's envelope (data key from the cache, AAD of entity, column and id, per-thread
 * cipher and DRBG) against bare JCE AES-256-GCM of the same bytes with a reused cipher, a per-thread DRBG nonce and
 * associated data of the same length: the floor. Also envelope parsing alone. Every operation hits the key cache.
 *
 * <pre>
 * mvn -q -B install -DskipTests
 * mvn -q -B -pl benchmarks dependency:build-classpath -Dmdep.outputFile=/tmp/bench.cp
 * java -cp "$(cat /tmp/bench.cp):benchmarks/target/classes" org.openjdk.jmh.Main EnvelopeBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopeBenchmark {

    @Param({"16", "100", "1024", "65536"})
    int size;

    private FieldEncryptor encryptor;
    private final FieldContext context = FieldContext.of("Customer", "customer", "nationalId", "1234567");
    private byte[] plaintext;
    private byte[] sealed;

    private Cipher cipher;
    private SecretKeySpec bareKey;
    private SecureRandom random;
    private byte[] aad;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        encryptor = FieldEncryptor.builder()
                .keyProvider(TestKeys.localProvider("bench"))
                .masterKeyId("bench")
                .dataKeyStore(new InMemoryDataKeyStore())
                .build();
        plaintext = new byte[size];
        new SecureRandom().nextBytes(plaintext);
        sealed = encryptor.seal("customer.nationalId", context, plaintext);
        cipher = Cipher.getInstance("AES/GCM/NoPadding");
        bareKey = new SecretKeySpec(TestKeys.randomKey(), "AES");
        random = SecureRandom.getInstance("DRBG");
        // Same length as fieldcrypt's: 11-byte header + three length-prefixed parts.
        aad = new byte[11 + 4 + "Customer".length() + 4 + "nationalId".length() + 4 + "1234567".length()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encryptor.close();
    }

    /** fieldcrypt: seal then open one value. */
    @Benchmark
    public byte[] sealThenOpen() {
        byte[] envelope = encryptor.seal("customer.nationalId", context, plaintext);
        return encryptor.open("customer.nationalId", context, envelope);
    }

    /** fieldcrypt as the Hibernate integration calls it: a new context for the row, then seal and open. */
    @Benchmark
    public byte[] sealThenOpenNewContext() {
        FieldContext row = FieldContext.of("Customer", "customer", "nationalId", "1234567");
        byte[] envelope = encryptor.seal("customer.nationalId", row, plaintext);
        return encryptor.open("customer.nationalId", row, envelope);
    }

    /** fieldcrypt: seal one value. */
    @Benchmark
    public byte[] seal() {
        return encryptor.seal("customer.nationalId", context, plaintext);
    }

    /** fieldcrypt: open one value. */
    @Benchmark
    public byte[] open() {
        return encryptor.open("customer.nationalId", context, sealed);
    }

    /** fieldcrypt: parse (and copy) an envelope, no cryptography. */
    @Benchmark
    public long parseEnvelope() {
        return Envelope.parse(sealed).dataKeyId();
    }

    /** The floor: bare AES-256-GCM encrypt then decrypt of the same bytes. */
    @Benchmark
    public byte[] bareGcmEncryptThenDecrypt() throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        cipher.init(Cipher.ENCRYPT_MODE, bareKey, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        byte[] ciphertext = cipher.doFinal(plaintext);
        cipher.init(Cipher.DECRYPT_MODE, bareKey, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(ciphertext);
    }
}
