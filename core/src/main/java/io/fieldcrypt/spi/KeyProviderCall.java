package io.fieldcrypt.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * One call to the key provider, as {@link KeyProviderListener} sees it. Holds no key material and no encryption
 * context.
 *
 * @param operation the KMS operation: {@value #GENERATE_DATA_KEY}, {@value #DECRYPT} or {@value #RE_ENCRYPT}
 * @param duration how long the call took, retries inside the provider included
 * @param outcome {@value #SUCCESS}, or why it failed: the {@link io.fieldcrypt.KeyProviderException.Reason} in lower
 *     case ({@code throttled}, {@code unavailable}, {@code access_denied}...), or {@value #ERROR} for any other
 *     exception
 */
public record KeyProviderCall(String operation, Duration duration, String outcome) {

    /** Making a data key. */
    public static final String GENERATE_DATA_KEY = "GenerateDataKey";
    /** Unwrapping a stored data key. */
    public static final String DECRYPT = "Decrypt";
    /** Rewrapping a data key under another master key. */
    public static final String RE_ENCRYPT = "ReEncrypt";
    /** The outcome of a call that returned. */
    public static final String SUCCESS = "success";
    /** The outcome of a call that failed with something other than a {@code KeyProviderException}. */
    public static final String ERROR = "error";

    /** @throws NullPointerException if an argument is null */
    public KeyProviderCall {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** @return whether the call returned */
    public boolean succeeded() {
        return SUCCESS.equals(outcome);
    }
}
