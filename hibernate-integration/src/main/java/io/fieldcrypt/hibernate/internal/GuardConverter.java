package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldCryptException;
import jakarta.persistence.AttributeConverter;
import java.util.List;

/**
 * The converter of every {@code @Encrypted} attribute. Writing, it is a fail-closed guard, not a cipher: only a
 * {@link SealedValue} made by fieldcrypt's listeners, holding a well-formed envelope, may reach JDBC; anything else
 * (a JPQL or Criteria parameter, a bulk update, a path no listener saw) is refused, so no plaintext is ever written.
 * Reading, it opens: the column is read together with its row's key ({@link RowBoundRead}), so every read path hands
 * it what it needs to check the value belongs to that row, column and table. A value read without its key (native
 * SQL with an entity result) is passed on as a {@link SealedValue} for the pre-load listener.
 */
public final class GuardConverter implements AttributeConverter<Object, Object> {

    /** Opens this attribute's values; bound once the session factory is built. */
    interface Reader {

        /** @return how the key columns that precede the envelope in a read travel */
        List<RowBoundRead.KeyKind> keyKinds();

        /** @return the plaintext of a value read with its row's key */
        Object openRead(RowBoundRead.Read read);

        /** @return the plaintext of a value from the second-level cache */
        Object openCached(CachedValue cached);

        /** @return whether {@code other} opens exactly as this one does (the same attribute of the same factory) */
        boolean sameAs(Reader other);
    }

    private final String attribute;
    private final boolean text;
    private volatile Reader reader;
    /** How the key columns travel in the read expression installed at boot; null until then. */
    private volatile List<RowBoundRead.KeyKind> expectedKeyKinds;

    /**
     * @param attribute {@code Entity.attribute}, for messages
     * @param text whether the column holds the text form of the envelope
     */
    GuardConverter(String attribute, boolean text) {
        this.attribute = attribute;
        this.text = text;
    }

    /**
     * Binds what opens this attribute's values. Entities of one hierarchy bind the same attribute more than once,
     * equally; a second session factory built from the same boot model while the first is open is refused.
     */
    synchronized void bind(Reader candidate) {
        List<RowBoundRead.KeyKind> expected = expectedKeyKinds;
        if (expected != null && !expected.equals(candidate.keyKinds())) {
            throw new ConfigurationException("@Encrypted on " + attribute + ": its column is read with key columns"
                    + " typed " + expected + ", but the id's mapping gives " + candidate.keyKinds() + "; its values"
                    + " could not be opened. An association in the id must reference an id whose column has its Java"
                    + " type's own column type (bigint for a Long, uuid for a UUID)");
        }
        Reader current = reader;
        if (current == null) {
            reader = candidate;
        } else if (!current.sameAs(candidate)) {
            throw new ConfigurationException("@Encrypted on " + attribute + ": a second session factory was built from"
                    + " the same Hibernate Metadata while the first is open; build each factory from its own"
                    + " Metadata (a new MetadataSources or persistence unit), or close the first");
        }
    }

    /** Records how the read expression installed on the column reads the key columns. */
    void expectKeyKinds(List<RowBoundRead.KeyKind> kinds) {
        expectedKeyKinds = List.copyOf(kinds);
    }

    /** Forgets {@code bound}, when its session factory closes. */
    synchronized void unbind(Reader bound) {
        if (reader == bound) {
            reader = null;
        }
    }

    @Override
    public Object convertToDatabaseColumn(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof SealedValue sealed && isWellFormed(sealed.stored())) {
            return sealed.stored();
        }
        SealedValue upserted = PendingSeals.take(this, value);
        if (upserted != null && isWellFormed(upserted.stored())) {
            return upserted.stored();
        }
        throw new FieldCryptException("refusing to write a plaintext value of encrypted attribute " + attribute
                + ": only entity writes through a Session or StatelessSession are encrypted. An encrypted attribute"
                + " cannot be a query parameter or the target of a bulk update, because its stored value is bound to"
                + " its row");
    }

    @Override
    public Object convertToEntityAttribute(Object stored) {
        if (stored == null) {
            return null;
        }
        Reader bound = reader();
        RowBoundRead.Read read = RowBoundRead.parse(stored, bound.keyKinds(), text);
        return read == null ? SealedValue.read(stored) : bound.openRead(read);
    }

    /** @return the plaintext of a value from the second-level cache */
    Object openCached(CachedValue cached) {
        return reader().openCached(cached);
    }

    private Reader reader() {
        Reader bound = reader;
        if (bound == null) {
            throw new FieldCryptException("cannot open a value of encrypted attribute " + attribute
                    + ": its session factory is not built yet, or closed");
        }
        return bound;
    }

    private boolean isWellFormed(Object stored) {
        return text
                ? stored instanceof String s && Envelope.isWellFormedText(s)
                : stored instanceof byte[] b && Envelope.isWellFormed(b);
    }

    /** @return {@code Entity.attribute} */
    String label() {
        return attribute;
    }

    @Override
    public String toString() {
        return "GuardConverter[" + attribute + (text ? ", text" : ", binary") + "]";
    }
}
