package io.fieldcrypt;

import io.fieldcrypt.internal.store.PostgresDataKeyStore;
import io.fieldcrypt.spi.ConnectionSource;
import io.fieldcrypt.spi.DataKeyStore;

/** Factories of the built-in {@link DataKeyStore}s. */
public final class DataKeyStores {

    /** The default name of the data key table. */
    public static final String DEFAULT_TABLE = "fieldcrypt_data_key";

    private DataKeyStores() {}

    /**
     * The data key table in PostgreSQL. Creates or validates it now, according to {@code mode}.
     *
     * @param connections where to get connections; each is used for one short transaction
     * @param table the table name, optionally schema-qualified ({@code schema.table}); plain identifiers only
     * @param mode what to do with the table now
     * @return the store
     * @throws ConfigurationException if the table name is not a plain identifier, or validation fails
     * @throws DataKeyStoreException if the database cannot be reached
     */
    public static DataKeyStore postgres(ConnectionSource connections, String table, SchemaMode mode) {
        return PostgresDataKeyStore.open(connections, table, mode);
    }
}
