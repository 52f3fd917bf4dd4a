package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.hibernate.Encrypted;
import java.util.Set;

/**
 * What the binder learned about one {@code @Encrypted} attribute at boot, attached to its mapping through the
 * converter descriptor so that the integrator finds it again. Immutable.
 *
 * @param label {@code Entity.attribute}, for messages
 * @param javaType the attribute's Java type
 * @param storage how the column stores envelopes
 * @param scope the scope named in the annotation, or empty for the default {@code <table>.<column>}
 * @param previousScopes earlier scopes whose data keys may still open stored values
 * @param codec how values become plaintext bytes
 * @param guard the attribute's converter
 * @param plan the attribute's mutability plan
 * @param embedded whether it is inside an embeddable
 * @param migrateFrom the column holding its legacy plaintext ({@code @Encrypted(migrateFrom)}), as named there, or
 *     {@code null}
 */
record EncryptedAttribute(
        String label,
        Class<?> javaType,
        Encrypted.Storage storage,
        String scope,
        Set<String> previousScopes,
        ValueCodec codec,
        GuardConverter guard,
        SealedMutabilityPlan plan,
        boolean embedded,
        String migrateFrom) {

    boolean text() {
        return storage == Encrypted.Storage.TEXT;
    }
}
