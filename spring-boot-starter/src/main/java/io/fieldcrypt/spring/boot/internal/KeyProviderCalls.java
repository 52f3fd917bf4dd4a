package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.spi.KeyProviderCall;
import io.fieldcrypt.spi.KeyProviderListener;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The starter's {@link KeyProviderListener}: counts the calls to the key provider by operation and outcome from the
 * first (made while the entity manager factory is built, before any meter registry exists), remembers the last one
 * that says whether the provider is usable (what the health contributor reports, so that no probe calls KMS itself), and passes every call on to the
 * listeners added (the meters' timers).
 */
public final class KeyProviderCalls implements KeyProviderListener {

    /**
     * The last call and when it ended.
     *
     * @param call what was called and how it ended
     * @param at when
     */
    public record Last(KeyProviderCall call, Instant at) {}

    /**
     * One kind of call.
     *
     * @param operation {@link KeyProviderCall#operation()}
     * @param outcome {@link KeyProviderCall#outcome()}
     */
    public record Kind(String operation, String outcome) {}

    /** Outcomes about one data key rather than the key provider. */
    private static final Set<String> DATA_FAILURES = Set.of("invalid_ciphertext", "wrong_key", "rejected");

    private final Clock clock;
    private final List<KeyProviderListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Kind, LongAdder> counts = new ConcurrentHashMap<>();
    private volatile Last lastVerdict;

    public KeyProviderCalls(Clock clock) {
        this.clock = clock;
    }

    /** @param listener told of every call from now on */
    public void add(KeyProviderListener listener) {
        listeners.add(listener);
    }

    @Override
    public void called(KeyProviderCall call) {
        counts.computeIfAbsent(new Kind(call.operation(), call.outcome()), kind -> new LongAdder())
                .increment();
        if (call.succeeded() || !DATA_FAILURES.contains(call.outcome())) {
            lastVerdict = new Last(call, clock.instant());
        }
        listeners.forEach(listener -> listener.called(call));
    }

    /** @return the kinds of call made so far (from the first, made while the factory was built) */
    public Set<Kind> kinds() {
        return Set.copyOf(counts.keySet());
    }

    /** @return how many calls of {@code kind} were made */
    public long count(Kind kind) {
        LongAdder count = counts.get(kind);
        return count == null ? 0 : count.sum();
    }

    /**
     * @return the last call that says whether the key provider is usable: one that succeeded, or failed for a reason
     *     that is not about one data key (a corrupt or foreign wrapped key, {@code invalid_ciphertext},
     *     {@code wrong_key}, {@code rejected}, says nothing about the provider); {@code null} if none yet
     */
    public Last lastVerdict() {
        return lastVerdict;
    }
}
