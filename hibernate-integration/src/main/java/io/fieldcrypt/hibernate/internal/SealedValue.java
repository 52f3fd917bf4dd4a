package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.Envelope;

/**
 * What an encrypted attribute's slot of Hibernate's state array holds while it must not hold the plaintext: from the
 * moment a value is sealed (pre-insert, pre-update) until the plaintext is put back (post-insert, post-update), and
 * from the moment a row is read until it is opened (pre-load). It carries the column's value exactly as stored:
 * a binary envelope ({@code byte[]}) or its text form ({@code String}), not yet checked.
 *
 * <p>Only fieldcrypt makes these, so the guard converter can tell a sealed value from a plaintext that reached it by
 * any other path. {@link #toString()} shows nothing of the value.
 */
public final class SealedValue {

    private final Object stored;

    private SealedValue(Object stored) {
        this.stored = stored;
    }

    /** A value read from a column, to be opened by the pre-load listener. */
    static SealedValue read(Object stored) {
        return new SealedValue(stored);
    }

    /** A freshly sealed value, in the column's storage form. */
    static SealedValue sealed(byte[] envelope, boolean text) {
        return new SealedValue(text ? Envelope.toText(envelope) : envelope);
    }

    /** The column value, as stored. */
    Object stored() {
        return stored;
    }

    /**
     * @return the binary envelope
     * @throws io.fieldcrypt.EnvelopeFormatException if the stored text is not an envelope's text form
     */
    byte[] envelope() {
        return stored instanceof byte[] binary
                ? binary
                : Envelope.parseText((String) stored).toBytes();
    }

    @Override
    public String toString() {
        return "SealedValue[encrypted, not opened; entities read through a StatelessSession are not decrypted]";
    }
}
