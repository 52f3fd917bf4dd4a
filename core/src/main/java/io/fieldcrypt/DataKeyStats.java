package io.fieldcrypt;

/**
 * A snapshot of an encryptor's counters since it was built. Calls to the key provider are counted once per call
 * through the {@link io.fieldcrypt.spi.KeyProvider} interface, whatever happened (retries inside an AWS client count
 * once).
 *
 * @param generateDataKeyCalls calls that made a new data key
 * @param decryptDataKeyCalls calls that unwrapped a stored data key
 * @param reEncryptDataKeyCalls calls that rewrapped a data key under another master key
 * @param encryptionKeyHits encryptions that reused the current data key of their scope
 * @param encryptionKeyMisses encryptions that had to wait for a new data key
 * @param decryptionKeyHits decryptions whose data key was already unwrapped in memory
 * @param decryptionKeyMisses decryptions that had to load and unwrap their data key
 */
public record DataKeyStats(
        long generateDataKeyCalls,
        long decryptDataKeyCalls,
        long reEncryptDataKeyCalls,
        long encryptionKeyHits,
        long encryptionKeyMisses,
        long decryptionKeyHits,
        long decryptionKeyMisses) {

    /**
     * @return all calls made to the key provider
     */
    public long keyProviderCalls() {
        return generateDataKeyCalls + decryptDataKeyCalls + reEncryptDataKeyCalls;
    }
}
