package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.BlindIndexSpec;
import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.hibernate.BlindIndex;
import jakarta.persistence.AttributeConverter;
import java.util.Arrays;

/**
 * The converter of every {@link BlindIndex} query handle. Writing, it hashes: whatever plaintext reaches it — the
 * source's value, put in the handle's slot by the listener at insert and update, or a query parameter compared with
 * the handle — is transformed and hashed with the index's key, so the column and the query always agree and the
 * plaintext never reaches JDBC. Reading, it gives {@code null}: a hash cannot be turned back.
 */
public final class IndexConverter implements AttributeConverter<Object, Object> {

    /**
     * The length from which an index is taken as collision-free: two equal values of it mean equal transformed
     * plaintexts. Shorter, truncated indexes answer with candidates, which must be checked against the source.
     */
    static final int FULL_LENGTH_BITS = 128;

    /**
     * How the values of one index definition are hashed: transformed, encoded as the source is, then keyed-hashed.
     *
     * @param codec the source attribute's encoding, for {@link BlindIndex.Transform#NONE}
     */
    record Hasher(FieldEncryptor encryptor, BlindIndexSpec spec, BlindIndex.Transform transform, ValueCodec codec) {

        /**
         * @param plaintext a value of the source's type, or {@code null}
         * @return its index value, or {@code null} for {@code null} or a value the transform empties
         * @throws FieldCryptException if {@code plaintext} is not of the source's type
         */
        byte[] hash(Object plaintext, String label) {
            byte[] input;
            try {
                input = input(plaintext);
            } catch (ClassCastException e) {
                throw new FieldCryptException("@BlindIndex " + label + " compared with a "
                        + plaintext.getClass().getName() + "; compare it with a value of its source's type");
            }
            if (input == null) {
                return null;
            }
            try {
                return encryptor.blindIndex(spec, input);
            } finally {
                Arrays.fill(input, (byte) 0);
            }
        }

        /**
         * @param plaintext a value of the source's type, or {@code null}
         * @return the transformed bytes the index hashes (a copy the caller may wipe), or {@code null} for
         *     {@code null} or a value the transform empties
         */
        byte[] input(Object plaintext) {
            if (plaintext == null) {
                return null;
            }
            byte[] input = IndexTransform.input(transform, codec, plaintext);
            return input == plaintext ? input.clone() : input;
        }
    }

    private final String label;
    private final java.util.concurrent.atomic.LongAdder lookups = new java.util.concurrent.atomic.LongAdder();
    private final String sourceName;
    private final BlindIndex.Transform transform;
    private final int bits;
    private final String keyGroup;
    private volatile Hasher hasher;

    /**
     * The annotation's values are the index's definition unless settings override them ({@link IndexSettings}).
     *
     * @param label {@code Entity.handle}, for messages
     * @param sourceName the source attribute's name
     * @param annotation the handle's annotation
     */
    IndexConverter(String label, String sourceName, BlindIndex annotation) {
        this.label = label;
        this.sourceName = sourceName;
        this.transform = annotation.transform();
        this.bits = annotation.bits();
        this.keyGroup = annotation.keyGroup().trim();
    }

    /** @return {@code Entity.handle} */
    String label() {
        return label;
    }

    /** @return the name of the {@code @Encrypted} attribute the index finds */
    String sourceName() {
        return sourceName;
    }

    /** @return the definition the mapping gives: its column, and the annotation's key group, transform and length */
    IndexSettings.Definition annotated(String column) {
        return new IndexSettings.Definition(column, keyGroup, transform, bits);
    }

    /**
     * What the index is, for the key derivation: its group — its own table and column, or the shared group it names
     * — with its transform and length; and a name binding the transform (and the table and column again).
     */
    static BlindIndexSpec spec(
            String table, String column, String sharedGroup, BlindIndex.Transform transform, int bits) {
        // The transform and the length are part of the group, so a column whose definition changed finds no root key
        // and is refused while it holds values made under the old one (FieldCryptRuntime.refuseLostRootKey).
        String group =
                (sharedGroup.isEmpty() ? table + "." + column : sharedGroup) + "|" + transform.name() + "|" + bits;
        String name = (sharedGroup.isEmpty() ? table + "." + column : "shared") + "|" + transform.name();
        return new BlindIndexSpec(group, name, bits);
    }

    /**
     * Binds how values are hashed. Entities of one hierarchy bind a handle more than once, equally; a second session
     * factory built from the same boot model while the first is open is refused.
     */
    synchronized void bind(Hasher candidate) {
        Hasher current = hasher;
        if (current == null) {
            hasher = candidate;
        } else if (current.encryptor() != candidate.encryptor()
                || !current.spec().equals(candidate.spec())
                || current.transform() != candidate.transform()) {
            throw new ConfigurationException("@BlindIndex on " + label + ": a second session factory was built from"
                    + " the same Hibernate Metadata while the first is open; build each factory from its own Metadata"
                    + " (a new MetadataSources or persistence unit), or close the first");
        }
    }

    /** Forgets {@code bound}, when its session factory closes. */
    synchronized void unbind(Hasher bound) {
        if (hasher == bound) {
            hasher = null;
        }
    }

    /** @return whether the index queries use is truncated (its matches include other values), false until bound */
    boolean truncated() {
        Hasher bound = hasher;
        return bound != null && bound.spec().bits() < FULL_LENGTH_BITS;
    }

    /** @return whether this handle and {@code other} hash equal values equally (a join on them finds matches) */
    boolean sameIndexAs(IndexConverter other) {
        Hasher mine = hasher;
        Hasher theirs = other.hasher;
        return mine != null
                && theirs != null
                && mine.spec().equals(theirs.spec())
                && mine.transform() == theirs.transform();
    }

    @Override
    public Object convertToDatabaseColumn(Object plaintext) {
        if (plaintext == null) {
            return null;
        }
        Hasher bound = hasher;
        if (bound == null) {
            throw new FieldCryptException(
                    "@BlindIndex " + label + " is not ready: its session factory is not built" + " yet, or was closed");
        }
        if (!EntityWrites.inProgress()) {
            lookups.increment();
        }
        return bound.hash(plaintext, label);
    }

    /** @return how many values this handle hashed outside entity writes: query parameters, lookups */
    long lookups() {
        return lookups.sum();
    }

    /** A hash cannot be turned back: the handle reads as {@code null}. */
    @Override
    public Object convertToEntityAttribute(Object stored) {
        return null;
    }

    @Override
    public String toString() {
        return "IndexConverter[" + label + "]";
    }
}
