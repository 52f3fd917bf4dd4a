package io.fieldcrypt.spi;

import java.util.Map;

/**
 * Makes, unwraps and rewraps data keys under master keys: AWS KMS in production, a local master key in development.
 *
 * <p>The encryption context is a set of non-secret name/value pairs that is cryptographically bound to the wrapped
 * key: a key wrapped under one context must not unwrap under another. fieldcrypt uses
 * {@code {"fieldcrypt:scope": "<table>.<column>"}}, so an audit log of the provider names the column whose key was
 * used.
 *
 * <p>Implementations are thread-safe, and report failures as {@link io.fieldcrypt.KeyProviderException} with the
 * matching reason. They never log key material.
 */
public interface KeyProvider extends AutoCloseable {

    /**
     * Resolves a configured master key id (for AWS KMS a key id, key ARN, alias name or alias ARN) to the stable id
     * recorded with every data key it wraps (for AWS KMS, the key ARN).
     *
     * @param masterKeyId the configured id
     * @return the canonical id
     * @throws io.fieldcrypt.KeyProviderException if the key is unknown or cannot be described
     */
    String canonicalMasterKeyId(String masterKeyId);

    /**
     * Makes a new 256-bit data key and wraps it under {@code masterKeyId}.
     *
     * @param masterKeyId the master key, in any form {@link #canonicalMasterKeyId} accepts
     * @param encryptionContext the context to bind the wrapped key to
     * @return the plaintext key and its wrapped form; the wrapped form names the canonical master key id
     * @throws io.fieldcrypt.KeyProviderException if the provider refuses or fails, or answers with another master key
     */
    GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> encryptionContext);

    /**
     * Unwraps a data key.
     *
     * @param wrapped the stored wrapped key, naming its master key
     * @param encryptionContext the context it was wrapped under
     * @return the plaintext key and the master key the provider reports having used
     * @throws io.fieldcrypt.KeyProviderException if the provider refuses or fails; reason
     *     {@link io.fieldcrypt.KeyProviderException.Reason#INVALID_CIPHERTEXT} when the blob or the context is wrong
     */
    DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext);

    /**
     * Re-encrypts a wrapped data key under another master key without exposing the plaintext to the caller (for AWS
     * KMS: {@code ReEncrypt}). The encryption context stays the same.
     *
     * @param wrapped the stored wrapped key
     * @param encryptionContext the context it was wrapped under
     * @param destinationMasterKeyId the master key to wrap it under, in any accepted form
     * @return the key wrapped under the destination, naming its canonical id
     * @throws io.fieldcrypt.KeyProviderException if the provider refuses or fails
     */
    WrappedDataKey reEncryptDataKey(
            WrappedDataKey wrapped, Map<String, String> encryptionContext, String destinationMasterKeyId);

    /** Releases what the provider owns (for example a KMS client it built itself). The default does nothing. */
    @Override
    default void close() {}
}
