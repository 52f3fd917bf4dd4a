package io.fieldcrypt.hibernate;

import io.fieldcrypt.FieldCryptException;

/**
 * {@link FieldCrypt#destroyRetiredDataKeys()} refused: stored values still use retired data keys (the message says
 * how many and where), or keys were retired too recently for every instance to have stopped using them.
 */
public final class RetiredKeysInUseException extends FieldCryptException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message how many values, in which attributes, under which keys; and what to do
     */
    public RetiredKeysInUseException(String message) {
        super(message);
    }
}
