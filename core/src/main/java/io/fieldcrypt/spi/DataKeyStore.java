package io.fieldcrypt.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Durable storage of wrapped data keys: the companion table.
 *
 * <p>The one rule every implementation keeps: {@link #insert} returns only after the new row is committed, in a
 * transaction of its own, so that no value can ever refer to a data key that is not durably stored, whatever
 * happens to the caller's transaction.
 *
 * <p>Implementations are thread-safe.
 */
public interface DataKeyStore {

    /**
     * Stores a new active data key and commits it before returning.
     *
     * @param scope what the key serves
     * @param wrapped the wrapped key
     * @param encryptionContext the context it is wrapped under
     * @param createdAt the creation time to record
     * @return the stored row, with its new id
     * @throws io.fieldcrypt.DataKeyStoreException if the row could not be committed; then it does not exist
     */
    StoredDataKey insert(String scope, WrappedDataKey wrapped, Map<String, String> encryptionContext,
            Instant createdAt);

    /**
     * @param id a data key id
     * @return the row, or empty if there is none with that id
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be read
     */
    Optional<StoredDataKey> find(long id);

    /**
     * @return a name for messages, such as the table name
     */
    String describe();
}
