package io.fieldcrypt;

/**
 * The data key table could not be read or written (connection lost, permission denied, table missing). When this
 * happens while a new data key is being stored, no value is encrypted under that key.
 */
public final class DataKeyStoreException extends FieldCryptException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the table
     * @param cause the JDBC failure
     */
    public DataKeyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
