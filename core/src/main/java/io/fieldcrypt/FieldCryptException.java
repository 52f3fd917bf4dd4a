package io.fieldcrypt;

/**
 * The unchecked root of every exception fieldcrypt throws.
 *
 * <p>Unchecked because the places that encrypt and decrypt (JPA converters, Hibernate event listeners) cannot
 * throw checked exceptions. Messages name entities, attributes, ids and key ids; they never contain a plaintext,
 * a ciphertext, associated data or key material.
 */
public class FieldCryptException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and, where it helps, how to fix it; never a secret
     */
    public FieldCryptException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and, where it helps, how to fix it; never a secret
     * @param cause the low-level failure, kept for diagnosis
     */
    public FieldCryptException(String message, Throwable cause) {
        super(message, cause);
    }
}
