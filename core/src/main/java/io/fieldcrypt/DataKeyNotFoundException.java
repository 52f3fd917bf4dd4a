package io.fieldcrypt;

/**
 * A value names a data key that has no row in the data key table: the key was deleted (crypto-shredded), the table
 * was restored from an older backup than the data, or the value was written by another installation.
 */
public final class DataKeyNotFoundException extends DecryptionException {

    private static final long serialVersionUID = 1L;

    private final long dataKeyId;

    /**
     * @param dataKeyId the id the value refers to
     * @param table the data key table that was searched
     */
    public DataKeyNotFoundException(long dataKeyId, String table) {
        super("data key " + dataKeyId + " not found in table " + table
                + ": it was destroyed, or the table does not belong to the data being read");
        this.dataKeyId = dataKeyId;
    }

    private DataKeyNotFoundException(String message, long dataKeyId, DataKeyNotFoundException cause) {
        super(message, cause);
        this.dataKeyId = dataKeyId;
    }

    /**
     * @return the id of the missing data key
     */
    public long dataKeyId() {
        return dataKeyId;
    }

    @Override
    public DataKeyNotFoundException withContext(String context) {
        return new DataKeyNotFoundException(context + ": " + getMessage(), dataKeyId, this);
    }
}
