package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Finds entities by the plaintext of a blind index's source and keeps only those whose source really matches: a
 * truncated index (fewer than 128 bits) answers with candidates, values whose hashes collide with the one looked up.
 * The query carries a per-process random mark ({@link #MARK}) that lets the compile-time check answer its truncated
 * handle, which it refuses in every other statement.
 */
public final class IndexLookup {

    /**
     * The literal every lookup's query compares with itself, random per process: the compile-time check answers a
     * truncated handle only in a statement that carries it, which no query of the application can (so none compiles,
     * nor shares a cached plan with a lookup).
     */
    static final String MARK = "fieldcrypt-lookup-" + java.util.UUID.randomUUID();

    private final FieldCryptRuntime runtime;

    public IndexLookup(FieldCryptRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * @param session an open session of the factory
     * @param type the entity
     * @param handle the name of its {@code @BlindIndex} handle
     * @param value a plaintext of the source's type
     * @return the entities whose source equals {@code value} as the index's transform sees it
     * @throws IllegalArgumentException if {@code handle} is not a blind index handle of {@code type}
     */
    public <T> List<T> find(Session session, Class<T> type, String handle, Object value) {
        EntityPersister persister = persister(type);
        EntityCrypto.IndexSlot slot = slot(persister, handle);
        if (slot == null) {
            throw new IllegalArgumentException(handle + " is not a @BlindIndex handle of " + type.getName());
        }
        IndexConverter.Hasher hasher = slot.mapped().hasher();
        byte[] wanted = hasher.input(value);
        if (wanted == null) {
            return List.of();
        }
        List<T> candidates = session.createSelectionQuery(
                        "select e from " + persister.getEntityName() + " e where e." + handle
                                + " = :fieldcryptLookup and '" + MARK + "' = '" + MARK + "'",
                        type)
                .setParameter("fieldcryptLookup", value)
                .getResultList();
        List<T> matches = new ArrayList<>(candidates.size());
        try {
            for (T candidate : candidates) {
                byte[] input =
                        hasher.input(persister.getValue(org.hibernate.Hibernate.unproxy(candidate), slot.source()));
                if (Arrays.equals(input, wanted)) {
                    matches.add(candidate);
                }
                if (input != null) {
                    Arrays.fill(input, (byte) 0);
                }
            }
        } finally {
            Arrays.fill(wanted, (byte) 0);
        }
        return matches;
    }

    /**
     * @return whether {@code attribute} of {@code type} is a truncated blind index handle (queried only through
     *     {@link #find}); false for any other attribute, or a type that is not an entity of the factory
     */
    public boolean truncated(Class<?> type, String attribute) {
        EntityPersister persister;
        try {
            persister = persister(type);
        } catch (RuntimeException e) {
            return false;
        }
        EntityCrypto.IndexSlot slot = slot(persister, attribute);
        return slot != null && slot.mapped().hasher().spec().bits() < IndexConverter.FULL_LENGTH_BITS;
    }

    private EntityPersister persister(Class<?> type) {
        return runtime.sessionFactory().getMappingMetamodel().getEntityDescriptor(type);
    }

    /** @return the index slot of the handle named {@code attribute}, or {@code null} */
    private EntityCrypto.IndexSlot slot(EntityPersister persister, String attribute) {
        EntityCrypto crypto = runtime.entity(persister);
        if (crypto == null) {
            return null;
        }
        int index;
        try {
            index = persister.getPropertyIndex(attribute);
        } catch (RuntimeException e) {
            return null;
        }
        return crypto.indexes().stream()
                .filter(i -> i.handle() == index)
                .findFirst()
                .orElse(null);
    }

    /** Refuses a truncated handle compared outside a lookup. */
    static FieldCryptException refusal(IndexConverter handle) {
        return new FieldCryptException("query refused: " + handle.label() + " is a truncated @BlindIndex (fewer than "
                + IndexConverter.FULL_LENGTH_BITS + " bits): its matches include rows holding other values, which"
                + " only fieldcrypt's lookup removes. Find rows with FieldCrypt.of(emf).findBy(session, entity, \""
                + handle.label().substring(handle.label().indexOf('.') + 1) + "\", value)");
    }
}
