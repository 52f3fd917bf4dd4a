package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldEncryptor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.Type;

/**
 * The encrypted attributes of one entity type, by their index in the persister's state array, and the work the
 * listeners do on them: seal a state array, put the plaintext back, open a loaded state array.
 */
final class EntityCrypto {

    /** One encrypted attribute, resolved against the runtime model. */
    record Slot(int index, EncryptedAttribute attribute, String column, String scope) {
    }

    private final String aadEntity;
    private final Slot[] slots;
    private final FieldEncryptor encryptor;

    EntityCrypto(String aadEntity, Slot[] slots, FieldEncryptor encryptor) {
        this.aadEntity = aadEntity;
        this.slots = slots.clone();
        this.encryptor = encryptor;
    }

    /** Replaces every non-null encrypted value in {@code state} by its sealed form. */
    void seal(Object[] state, EntityPersister persister, Object id, SharedSessionContractImplementor session) {
        String canonicalId = CanonicalId.of(persister, id, session);
        for (Slot slot : slots) {
            Object plaintext = state[slot.index];
            if (plaintext != null && !(plaintext instanceof SealedValue)) {
                EncryptedAttribute attribute = slot.attribute;
                byte[] envelope = encryptor.seal(slot.scope, FieldContext.of(aadEntity, slot.column, canonicalId),
                        attribute.codec().encode(plaintext));
                state[slot.index] = SealedValue.sealed(envelope, attribute.text());
            }
        }
    }

    /** Puts a snapshot of the entity's plaintext back where {@link #seal} left sealed values. */
    void restore(Object[] state, Object entity, EntityPersister persister) {
        Type[] types = persister.getPropertyTypes();
        for (Slot slot : slots) {
            if (state[slot.index] instanceof SealedValue) {
                state[slot.index] = types[slot.index].deepCopy(persister.getValue(entity, slot.index),
                        persister.getFactory());
            }
        }
    }

    /** Opens every sealed value in a loaded state array, checking it belongs to this row and column. */
    void open(Object[] state, EntityPersister persister, Object id, SharedSessionContractImplementor session) {
        boolean cacheable = persister.canWriteToCache();
        if (cacheable) {
            OpenedValues.begin();
        }
        String canonicalId = null;
        for (Slot slot : slots) {
            if (state[slot.index] instanceof SealedValue sealed) {
                if (canonicalId == null) {
                    canonicalId = CanonicalId.of(persister, id, session);
                }
                Object plaintext = open(slot, sealed, canonicalId);
                state[slot.index] = plaintext;
                if (cacheable) {
                    OpenedValues.add(slot.attribute.plan(), plaintext, sealed.stored());
                }
            }
        }
    }

    private Object open(Slot slot, SealedValue sealed, String canonicalId) {
        String where = slot.attribute.label() + " of " + aadEntity + "#" + canonicalId;
        byte[] plaintext;
        try {
            plaintext = encryptor.open(FieldContext.of(aadEntity, slot.column, canonicalId), sealed.envelope());
        } catch (DecryptionException e) {
            throw new DecryptionException("cannot decrypt " + where + ": " + e.getMessage(), e);
        }
        try {
            return slot.attribute.codec().decode(plaintext);
        } catch (RuntimeException e) {
            throw new DecryptionException("cannot decrypt " + where + ": the decrypted bytes are not a "
                    + slot.attribute.javaType().getSimpleName());
        }
    }
}
