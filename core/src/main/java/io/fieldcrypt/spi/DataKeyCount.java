package io.fieldcrypt.spi;

import java.util.Objects;

/**
 * How many data keys are in one state under one master key.
 *
 * @param state the state
 * @param masterKeyId the master key the keys are wrapped under
 * @param count how many keys
 */
public record DataKeyCount(DataKeyState state, String masterKeyId, long count) {

    /**
     * @throws NullPointerException if an argument is null
     */
    public DataKeyCount {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(masterKeyId, "masterKeyId");
    }
}
