package io.fieldcrypt.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A nanosecond ticker for {@code FieldEncryptor.Builder.ticker} that stands still until a test advances it, so that
 * no test sleeps. Thread-safe.
 */
public final class FakeTicker implements LongSupplier {

    private final AtomicLong nanos = new AtomicLong();

    /**
     * @param duration how far to move time forward; not negative
     */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a ticker never goes back, got " + duration);
        }
        nanos.addAndGet(duration.toNanos());
    }

    @Override
    public long getAsLong() {
        return nanos.get();
    }
}
