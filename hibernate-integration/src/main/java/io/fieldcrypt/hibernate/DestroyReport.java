package io.fieldcrypt.hibernate;

import java.util.List;

/**
 * The outcome of {@link FieldCrypt#destroyRetiredDataKeys()}.
 *
 * @param destroyed the ids of the keys deleted: data keys, and the retired scope keys no remaining key is wrapped
 *     under; whatever they protected can no longer be decrypted
 */
public record DestroyReport(List<Long> destroyed) {

    /**
     * @throws NullPointerException if {@code destroyed} is null
     */
    public DestroyReport {
        destroyed = List.copyOf(destroyed);
    }
}
