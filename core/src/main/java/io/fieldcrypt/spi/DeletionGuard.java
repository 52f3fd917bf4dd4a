package io.fieldcrypt.spi;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The last word before data keys are deleted: called by {@link DataKeyStore#deleteRetired} inside the deleting
 * transaction, after the keys were locked, so that what it checks (nobody still uses the keys) cannot change before
 * the delete commits.
 */
@FunctionalInterface
public interface DeletionGuard {

    /**
     * Checks that {@code keys} may be deleted; throws to refuse, and then nothing is deleted.
     *
     * @param connection the deleting transaction's connection; query on it, never commit or roll back
     * @param keys the retired keys about to be deleted, locked, in id order; never empty
     * @param now the database's current time, the clock that recorded when the keys were retired
     * @throws SQLException if a query fails; nothing is deleted
     * @throws io.fieldcrypt.FieldCryptException to refuse; nothing is deleted
     */
    void check(Connection connection, List<StoredDataKey> keys, Instant now) throws SQLException;
}
