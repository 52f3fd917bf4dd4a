package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.Envelope;

/**
 * What an encrypted attribute's slot of Hibernate's state array holds while it must not hold the plaintext: from the
 * moment a value is sealed (pre-insert, pre-update) until the plaintext is put back (post-insert, post-update), and,
 * for a row read by native SQL (which Hibernate reads without the row's key), until the pre-load listener opens it.
 * It carries the column's value exactly as stored: a binary envelope ({@code byte[]}) or its text form
 * ({@code String}), not yet checked.
 *
 * <p>Only fieldcrypt makes these, so the guard converter can tell a sealed value from a plaintext that reached it by
 * any other path. {@link #toString()} shows nothing of the value.
 */
public final class SealedValue {

    private final Object stored;
    private final String rowId;

    private SealedValue(Object stored, String rowId) {
        this.stored = stored;
        this.rowId = rowId;
    }

    /** A value read from a column without its row's key (native SQL), to be opened by the pre-load listener. */
    static SealedValue read(Object stored) {
        return new SealedValue(stored, null);
    }

    /** A freshly sealed value, in the column's storage form, sealed to the row {@code rowId}. */
    static SealedValue sealed(byte[] envelope, boolean text, String rowId) {
        return new SealedValue(text ? Envelope.toText(envelope) : envelope, rowId);
    }

    /** The column value, as stored. */
    Object stored() {
        return stored;
    }

    /** @return the canonical id of the row it was sealed to, or {@code null} for a value read by native SQL */
    String rowId() {
        return rowId;
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
        return "SealedValue[encrypted, not opened]";
    }
}
