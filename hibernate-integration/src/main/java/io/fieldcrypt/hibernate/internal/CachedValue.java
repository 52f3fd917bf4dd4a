package io.fieldcrypt.hibernate.internal;

import java.io.Serializable;

/**
 * What the second-level cache holds for an encrypted attribute: the stored envelope and the canonical id of the row
 * it is bound to, never a plaintext. The id travels with the envelope because a {@code StatelessSession} assembles
 * cached state without any hook that knows the entry's key; a {@code Session} also checks it against the key (see
 * {@link EntityCrypto#open}). {@link #toString()} shows neither.
 *
 * @param rowId the canonical id of the row the envelope is sealed to
 * @param stored the envelope as the column stores it ({@code byte[]} or its text form)
 */
record CachedValue(String rowId, Serializable stored) implements Serializable {

    @Override
    public String toString() {
        return "CachedValue[encrypted]";
    }
}
