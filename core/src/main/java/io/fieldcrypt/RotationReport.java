package io.fieldcrypt;

import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of {@link DataKeyAdmin#rotate}.
 *
 * @param retired how many active data keys were retired
 * @param retiredAt when; other processes stop using their current keys within their maximum age after this
 */
public record RotationReport(int retired, Instant retiredAt) {

    /**
     * @throws NullPointerException if {@code retiredAt} is null
     */
    public RotationReport {
        Objects.requireNonNull(retiredAt, "retiredAt");
    }
}
