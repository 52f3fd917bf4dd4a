package io.fieldcrypt;

/**
 * A value could not be opened: it was tampered with, moved to another row, column or entity (its associated data
 * differs), truncated, or the data key it names is unknown.
 *
 * <p>This is a property of the stored value, not a transient fault: retrying does not help. Transient failures of
 * the key provider are reported as {@link KeyProviderException} instead.
 */
public class DecryptionException extends FieldCryptException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message a short, fixed description; never a value or a key
     */
    public DecryptionException(String message) {
        super(message);
    }

    /**
     * @param message a short, fixed description; never a value or a key
     * @param cause the low-level failure (for example {@code AEADBadTagException})
     */
    public DecryptionException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param context where the value was read, e.g. {@code "cannot decrypt Patient.ssn of Patient#42"}; never a
     *     value
     * @return an exception of the same type whose message starts with {@code context}, caused by this one
     */
    public DecryptionException withContext(String context) {
        return new DecryptionException(context + ": " + getMessage(), this);
    }
}
