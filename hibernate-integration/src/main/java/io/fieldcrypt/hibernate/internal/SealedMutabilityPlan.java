package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import java.io.Serializable;
import org.hibernate.SharedSessionContract;
import org.hibernate.type.descriptor.java.MutabilityPlan;

/**
 * The mutability plan of an encrypted attribute. Snapshots of plaintexts follow the attribute type's own plan
 * (an array is copied, a string is not); a {@link SealedValue} is immutable. The second-level cache only ever
 * receives the stored envelope: a sealed value gives its stored form, and a plaintext just opened by the pre-load
 * listener gives back the envelope it was opened from ({@link OpenedValues}). Any other plaintext is refused, so the
 * cache never holds one.
 */
final class SealedMutabilityPlan implements MutabilityPlan<Object> {

    private final String label;
    private final MutabilityPlan<Object> plaintextPlan;

    SealedMutabilityPlan(String label, MutabilityPlan<Object> plaintextPlan) {
        this.label = label;
        this.plaintextPlan = plaintextPlan;
    }

    @Override
    public boolean isMutable() {
        return plaintextPlan.isMutable();
    }

    @Override
    public Object deepCopy(Object value) {
        return value == null || value instanceof SealedValue ? value : plaintextPlan.deepCopy(value);
    }

    @Override
    public Serializable disassemble(Object value, SharedSessionContract session) {
        if (value == null) {
            return null;
        }
        if (value instanceof SealedValue sealed) {
            return (Serializable) sealed.stored();
        }
        Object stored = OpenedValues.storedFormOf(this, value);
        if (stored == null) {
            throw new FieldCryptException("refusing to put a plaintext value of encrypted attribute " + label
                    + " into the second-level cache: it was not read through fieldcrypt");
        }
        return (Serializable) stored;
    }

    @Override
    public Object assemble(Serializable cached, SharedSessionContract session) {
        return cached == null ? null : SealedValue.read(cached);
    }

    @Override
    public String toString() {
        return "SealedMutabilityPlan[" + label + "]";
    }
}
