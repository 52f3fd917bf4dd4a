package io.fieldcrypt.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

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
     * Stores a new active data key and commits it before returning. The store records its creation time and, from
     * {@code usableFor}, the last moment it may encrypt, both by its own clock (PostgreSQL's {@code now()}), the one
     * {@link #retireActive} and {@link #deleteRetired} use.
     *
     * @param scope what the key serves
     * @param wrapped the wrapped key
     * @param encryptionContext the context it is wrapped under
     * <p>A key wrapped under a scope key ({@link WrappedDataKey#scopeKeyId()}) is stored only while that scope key
     * is active: the insert locks the scope key's row (shared) in its own transaction, so the scope key can be
     * neither retired nor deleted until the new row is committed, and {@link #deleteRetired} then sees the new row
     * and keeps the scope key.
     *
     * @param usableFor how long the process that made it may encrypt with it (its maximum age)
     * @return the stored row, with its new id
     * @throws io.fieldcrypt.InactiveScopeKeyException if the key is wrapped under a scope key that is no longer
     *     active (retired, or deleted); nothing was stored
     * @throws io.fieldcrypt.DataKeyStoreException if the row could not be committed; then it does not exist
     */
    StoredDataKey insert(
            String scope, WrappedDataKey wrapped, Map<String, String> encryptionContext, Duration usableFor);

    /**
     * Returns the one key of {@code scope}, making it first if there is none: for keys a scope has exactly one of,
     * such as the root key of a blind index key group. If the scope has an active key, the oldest one is returned;
     * otherwise {@code beforeMaking} runs, then {@code make}, and its result is stored and committed before this
     * returns. Callers in every process are serialised on the scope, so however many start together, one key is
     * made.
     *
     * @param scope what the key serves
     * @param encryptionContext the context a new key is wrapped under, recorded with it
     * @param beforeMaking runs, serialised like {@code make}, when there is no key yet; it refuses by throwing, and
     *     then nothing is made
     * @param make makes the new key, wrapped; called at most once, only when there is no key yet
     * @return the scope's key
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be read or written; then no key was stored
     */
    StoredDataKey findOrMake(
            String scope, Map<String, String> encryptionContext, Runnable beforeMaking, Supplier<WrappedDataKey> make);

    /**
     * Returns the oldest active key of {@code scope} wrapped under {@code masterKeyId} and recorded with exactly
     * {@code encryptionContext}, making one first if there is none: for the scope key of a data key scope, which every process shares while the master key stays. Serialised
     * on the scope across processes like {@link #findOrMake}, so however many processes start together, one key is
     * made; {@code make} runs only when there is no such key, and its result is stored and committed before this
     * returns.
     *
     * @param scope what the key serves
     * @param masterKeyId the master key the key must be wrapped under; {@code make} must wrap under it
     * @param encryptionContext the context a new key is wrapped under, recorded with it
     * @param make makes the new key, wrapped; called at most once
     * @return the key
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be read or written; then no key was stored
     */
    StoredDataKey findOrMakeUnder(
            String scope, String masterKeyId, Map<String, String> encryptionContext, Supplier<WrappedDataKey> make);

    /**
     * @param id a data key id
     * @return the row, or empty if there is none with that id
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be read
     */
    Optional<StoredDataKey> find(long id);

    /**
     * @param scopes the scopes whose keys to return; rows of other scopes are not read
     * @param afterId return keys with a larger id only; 0 for the first page
     * @param limit the most keys to return
     * @return keys in ascending id order
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be read
     */
    List<StoredDataKey> page(Collection<String> scopes, long afterId, int limit);

    /**
     * Counts the retired keys of every scope, without reading the rows themselves, so that rows of other
     * applications, whatever they hold, cannot break the count.
     *
     * @return the number of retired keys per scope
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be read
     */
    Map<String, Long> countRetiredByScope();

    /**
     * Replaces a key's wrapped form (after a rewrap under another master key), only if it is still the expected one.
     *
     * @param id the key
     * @param expected the wrapped form read before the rewrap
     * @param replacement the new wrapped form; the same plaintext key
     * @return whether the row was changed (false if it no longer holds {@code expected})
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be written
     */
    boolean replaceWrapping(long id, WrappedDataKey expected, WrappedDataKey replacement);

    /**
     * Retires the active keys of {@code scopes}, so that no process picks them again for new values. A key stored
     * under one of the scope keys retired here, by an insert that held that scope key while this ran, is retired too
     * when its scope is among {@code scopes}. The retirement
     * time recorded is the database's (or the store's) own clock, the one {@link #deleteRetired} compares with.
     *
     * @param scopes the scopes whose keys to retire; keys of other scopes are left alone
     * @return the keys retired, in id order
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be written
     */
    List<StoredDataKey> retireActive(Collection<String> scopes);

    /**
     * Deletes every retired key of {@code scopes}, in one transaction: the keys are locked, {@code guard} checks
     * them on the same transaction, then they are deleted. If the guard throws, nothing is deleted. A retired scope
     * key that a key outside the deleted ones is still wrapped under is kept (and not returned): deleting it would
     * make that key unreadable.
     *
     * @param scopes the scopes whose retired keys to delete; keys of other scopes are left alone
     * @param guard the check that nothing still needs the keys
     * @return the ids of the keys deleted, in order; empty if there were none
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be read or written
     */
    List<Long> deleteRetired(Collection<String> scopes, DeletionGuard guard);

    /**
     * @param scopes the scopes to count
     * @return how many keys of {@code scopes} there are in each state under each master key
     * @throws io.fieldcrypt.DataKeyStoreException if the table could not be read
     */
    List<DataKeyCount> countByStateAndMasterKey(Collection<String> scopes);

    /**
     * @return a name for messages, such as the table name
     */
    String describe();
}
