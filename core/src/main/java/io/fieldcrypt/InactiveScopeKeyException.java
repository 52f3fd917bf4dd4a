package io.fieldcrypt;

/**
 * A new data key could not be stored because the scope key it is wrapped under was retired or deleted meanwhile (a
 * rotation or a destroy in another process). Nothing was stored; the encryptor makes the key again under the
 * scope's current scope key.
 */
public final class InactiveScopeKeyException extends FieldCryptException {

    private static final long serialVersionUID = 1L;

    /**
     * @param scopeKeyId the scope key that is no longer active
     * @param table the data key table, for the message
     */
    public InactiveScopeKeyException(long scopeKeyId, String table) {
        super("scope key " + scopeKeyId + " in " + table + " is no longer active (retired or deleted meanwhile);"
                + " no data key was stored under it");
    }
}
