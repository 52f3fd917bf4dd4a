package io.fieldcrypt;

import java.util.Objects;

/**
 * The key provider (AWS KMS, or the local provider) refused or failed an operation on a master key or data key.
 * {@link #reason()} tells callers what kind of failure it was, and therefore whether retrying later can help.
 */
public final class KeyProviderException extends FieldCryptException {

    private static final long serialVersionUID = 1L;

    /** The kinds of failure, each with whether it is worth retrying later. */
    public enum Reason {
        /** The provider is rate limiting; retry later with backoff. */
        THROTTLED(true),
        /** The provider could not be reached or answered with a server error or timeout; retry later. */
        UNAVAILABLE(true),
        /** The master key exists but is disabled or pending deletion; enable it or configure another key. */
        KEY_DISABLED(false),
        /** The master key does not exist (or is not visible to these credentials). */
        KEY_NOT_FOUND(false),
        /** The credentials lack a permission the operation needs. */
        ACCESS_DENIED(false),
        /** The encrypted data key is corrupt, or was wrapped under another encryption context. */
        INVALID_CIPHERTEXT(false),
        /** The provider answered with a different master key than the one requested. */
        WRONG_KEY(false),
        /** The request itself was refused for another reason (for example a key of the wrong type). */
        REJECTED(false);

        private final boolean retryable;

        Reason(boolean retryable) {
            this.retryable = retryable;
        }

        /**
         * @return whether the same call may succeed later without anyone changing anything
         */
        public boolean retryable() {
            return retryable;
        }
    }

    private final Reason reason;

    /**
     * @param reason the kind of failure
     * @param message what failed, naming the operation and the master key id, and how to fix it
     * @param cause the provider's exception, if any
     */
    public KeyProviderException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param reason the kind of failure
     * @param message what failed, naming the operation and the master key id, and how to fix it
     */
    public KeyProviderException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * @return the kind of failure
     */
    public Reason reason() {
        return reason;
    }
}
