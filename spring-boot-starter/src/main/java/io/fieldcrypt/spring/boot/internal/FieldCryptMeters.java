package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.DataKeyStats;
import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.spi.KeyProviderCall;
import io.fieldcrypt.spi.KeyProviderListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * fieldcrypt's Micrometer meters:
 *
 * <ul>
 *   <li>{@value #KMS_CALLS} (function counter, from the first call) and {@value #KMS_DURATION} (timer, from the
 *       registry's binding), tagged {@code operation}
 *       ({@code GenerateDataKey}, {@code Decrypt}, {@code ReEncrypt}) and {@code outcome} ({@code success}, or the
 *       failure reason: {@code throttled}, {@code unavailable}, {@code access_denied}, ...);</li>
 *   <li>{@value #KEY_CACHE} (function counter), tagged {@code use} ({@code encryption}, {@code decryption}) and
 *       {@code result} ({@code hit}, {@code miss});</li>
 *   <li>{@value #BLIND_INDEX_LOOKUPS} (function counter), tagged {@code handle};</li>
 *   <li>{@value #PLAINTEXT_READS} (function counter) during a migration, tagged {@code attribute}.</li>
 * </ul>
 */
public final class FieldCryptMeters implements MeterBinder, KeyProviderListener {

    public static final String KMS_CALLS = "fieldcrypt.kms.calls";
    public static final String KMS_DURATION = "fieldcrypt.kms.duration";
    public static final String KEY_CACHE = "fieldcrypt.key.cache";
    public static final String BLIND_INDEX_LOOKUPS = "fieldcrypt.blind.index.lookups";
    public static final String PLAINTEXT_READS = "fieldcrypt.migration.plaintext.reads";

    private final ActiveFieldCrypt fieldCrypt;
    private final KeyProviderCalls calls;
    private volatile MeterRegistry registry;
    /** What the function counters read; held here, as Micrometer holds it only weakly. */
    private volatile FieldCrypt bound;

    public FieldCryptMeters(ActiveFieldCrypt fieldCrypt, KeyProviderCalls calls) {
        this.fieldCrypt = fieldCrypt;
        this.calls = calls;
        calls.add(this);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        calls.kinds().forEach(kind -> callCounter(registry, kind));
        FieldCrypt admin = fieldCrypt.get().orElse(null);
        if (admin == null) {
            return;
        }
        bound = admin;
        cache(registry, admin, "encryption", "hit", DataKeyStats::encryptionKeyHits);
        cache(registry, admin, "encryption", "miss", DataKeyStats::encryptionKeyMisses);
        cache(registry, admin, "decryption", "hit", DataKeyStats::decryptionKeyHits);
        cache(registry, admin, "decryption", "miss", DataKeyStats::decryptionKeyMisses);
        admin.blindIndexLookups()
                .keySet()
                .forEach(handle -> FunctionCounter.builder(
                                BLIND_INDEX_LOOKUPS,
                                admin,
                                a -> a.blindIndexLookups().getOrDefault(handle, 0L))
                        .description("values hashed to look rows up by a blind index")
                        .tag("handle", handle)
                        .register(registry));
        admin.plaintextReads()
                .keySet()
                .forEach(attribute -> FunctionCounter.builder(
                                PLAINTEXT_READS, admin, a -> a.plaintextReads().getOrDefault(attribute, 0L))
                        .description("legacy plaintext values read during a migration")
                        .tag("attribute", attribute)
                        .register(registry));
    }

    private static void cache(
            MeterRegistry registry, FieldCrypt admin, String use, String result, ToDoubleFunction<DataKeyStats> count) {
        FunctionCounter.builder(KEY_CACHE, admin, a -> count.applyAsDouble(a.stats()))
                .description("data key lookups in the in-memory cache")
                .tag("use", use)
                .tag("result", result)
                .register(registry);
    }

    /** Registers (once: Micrometer returns the meter already registered) the counter of one kind of call. */
    private void callCounter(MeterRegistry registry, KeyProviderCalls.Kind kind) {
        FunctionCounter.builder(KMS_CALLS, calls, c -> c.count(kind))
                .description("calls to the key provider (KMS)")
                .tag("operation", kind.operation())
                .tag("outcome", kind.outcome())
                .register(registry);
    }

    @Override
    public void called(KeyProviderCall call) {
        MeterRegistry bound = registry;
        if (bound == null) {
            return;
        }
        callCounter(bound, new KeyProviderCalls.Kind(call.operation(), call.outcome()));
        Timer.builder(KMS_DURATION)
                .description("how long calls to the key provider (KMS) took")
                .tag("operation", call.operation())
                .tag("outcome", call.outcome())
                .register(bound)
                .record(call.duration());
    }
}
