package io.fieldcrypt;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The stored form of an encrypted value. This class is the only one that reads or writes the layout;
 * {@code docs/FORMAT.md} describes it for other implementations. New values are written as version 2; version 1
 * values (sealed without the table in their associated data) are still read.
 *
 * <pre>
 * offset  size  field
 *      0     1  magic, 0xFC
 *      1     1  format version, 0x02 ({@link Version#V2}) or 0x01 ({@link Version#V1})
 *      2     1  algorithm, 0x01 ({@link Algorithm#AES_256_GCM}: 96-bit nonce, 128-bit tag)
 *      3     8  data key id, big-endian, positive
 *     11    12  nonce
 *     23  n+16  ciphertext of the n plaintext bytes, then the 16-byte tag
 * </pre>
 *
 * <p>The associated data authenticated with the ciphertext is the 11-byte header (magic, version, algorithm, data
 * key id) followed by the encoded {@link FieldContext} (with the table for version 2, without it for version 1). The text
 * form, for {@code varchar}/{@code text} columns, is {@value #TEXT_PREFIX} followed by the unpadded base64url
 * encoding of the binary form, whatever the version.
 *
 * <p>Immutable and thread-safe: {@link #parse} and {@link #toBytes} copy.
 */
public final class Envelope {

    /** The prefix of the text form; it names the text encoding, not the envelope version. */
    public static final String TEXT_PREFIX = "fc1:";

    /** The first byte of every envelope. */
    public static final byte MAGIC = (byte) 0xFC;
    /** The offset of the format version byte. */
    public static final int VERSION_OFFSET = 1;
    /** The offset of the 8-byte big-endian data key id. */
    public static final int DATA_KEY_ID_OFFSET = 3;

    static final int HEADER_BYTES = 11;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int NONCE_OFFSET = HEADER_BYTES;
    static final int CIPHERTEXT_OFFSET = HEADER_BYTES + NONCE_BYTES;
    /** The size of an envelope around an empty plaintext. */
    public static final int OVERHEAD_BYTES = CIPHERTEXT_OFFSET + TAG_BYTES;

    private static final Base64.Encoder TEXT_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder TEXT_DECODER = Base64.getUrlDecoder();

    /** Format versions, with their wire values. A wire value is never reused. */
    public enum Version {
        /** The first format: the associated data names entity, column and id. Read, no longer written. */
        V1((byte) 0x01),
        /** The current format: the associated data names entity, table, column and id. */
        V2((byte) 0x02);

        private final byte wireValue;

        Version(byte wireValue) {
            this.wireValue = wireValue;
        }

        /** @return the byte written at offset 1 */
        public byte wireValue() {
            return wireValue;
        }

        static Version ofWireValue(byte wireValue) {
            for (Version version : values()) {
                if (version.wireValue == wireValue) {
                    return version;
                }
            }
            return null;
        }
    }

    /** The version new envelopes are written in. */
    public static final Version CURRENT_VERSION = Version.V2;

    /** Algorithms, with their wire values. A wire value is never reused. */
    public enum Algorithm {
        /** AES with a 256-bit key in GCM mode, a random 96-bit nonce and a 128-bit tag. */
        AES_256_GCM((byte) 0x01);

        private final byte wireValue;

        Algorithm(byte wireValue) {
            this.wireValue = wireValue;
        }

        /** @return the byte written at offset 2 */
        public byte wireValue() {
            return wireValue;
        }
    }

    private final byte[] bytes;

    private Envelope(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Checks the structure of an envelope: magic, known version and algorithm, positive data key id, room for the
     * nonce and tag. Authenticity is only known once it is opened.
     *
     * @param bytes the binary form
     * @return the envelope, holding a copy
     * @throws EnvelopeFormatException if the bytes are not a well-formed envelope
     */
    public static Envelope parse(byte[] bytes) {
        return new Envelope(checked(bytes).clone());
    }

    /**
     * @param text the text form
     * @return the envelope
     * @throws EnvelopeFormatException if the text is not a well-formed envelope's text form
     */
    public static Envelope parseText(String text) {
        return new Envelope(checked(decodeText(text)));
    }

    /**
     * @param bytes any bytes
     * @return whether {@link #parse} would accept them
     */
    public static boolean isWellFormed(byte[] bytes) {
        return bytes != null && defect(bytes) == null;
    }

    /**
     * @param text any text
     * @return whether {@link #parseText} would accept it
     */
    public static boolean isWellFormedText(String text) {
        if (text == null || !text.startsWith(TEXT_PREFIX)) {
            return false;
        }
        try {
            return defect(decodeText(text)) == null;
        } catch (EnvelopeFormatException e) {
            return false;
        }
    }

    /** Wraps already-checked bytes without copying, for the encryptor's hot path. */
    static Envelope wrapChecked(byte[] bytes) {
        return new Envelope(checked(bytes));
    }

    /** @return the format version */
    public Version version() {
        return Version.ofWireValue(bytes[VERSION_OFFSET]);
    }

    /** @return the algorithm */
    public Algorithm algorithm() {
        return Algorithm.AES_256_GCM;
    }

    /** @return the id of the data key the value is encrypted under */
    public long dataKeyId() {
        return dataKeyId(bytes);
    }

    /** @return the length of the plaintext inside, in bytes */
    public int plaintextLength() {
        return bytes.length - OVERHEAD_BYTES;
    }

    /** @return a copy of the binary form */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** @return the text form */
    public String toText() {
        return toText(bytes);
    }

    /**
     * @param binary a binary envelope
     * @return its text form
     */
    public static String toText(byte[] binary) {
        return TEXT_PREFIX + TEXT_ENCODER.encodeToString(binary);
    }

    /** The bytes, not copied; package use only. */
    byte[] bytes() {
        return bytes;
    }

    /** Writes the header for a new envelope into {@code target}. */
    static void writeHeader(byte[] target, long dataKeyId) {
        ByteBuffer.wrap(target)
                .put(MAGIC)
                .put(CURRENT_VERSION.wireValue)
                .put(Algorithm.AES_256_GCM.wireValue)
                .putLong(dataKeyId);
    }

    private static long dataKeyId(byte[] bytes) {
        return ByteBuffer.wrap(bytes, DATA_KEY_ID_OFFSET, Long.BYTES).getLong();
    }

    private static byte[] decodeText(String text) {
        if (text == null || !text.startsWith(TEXT_PREFIX)) {
            throw new EnvelopeFormatException("not an envelope: text form must start with " + TEXT_PREFIX);
        }
        try {
            return TEXT_DECODER.decode(text.substring(TEXT_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new EnvelopeFormatException("not an envelope: text form is not base64url", e);
        }
    }

    private static byte[] checked(byte[] bytes) {
        if (bytes == null) {
            throw new EnvelopeFormatException("not an envelope: null");
        }
        String defect = defect(bytes);
        if (defect != null) {
            throw new EnvelopeFormatException("not an envelope: " + defect);
        }
        return bytes;
    }

    private static String defect(byte[] bytes) {
        if (bytes.length < OVERHEAD_BYTES) {
            return "too short (" + bytes.length + " bytes, at least " + OVERHEAD_BYTES + " needed)";
        }
        if (bytes[0] != MAGIC) {
            return "wrong magic byte";
        }
        if (Version.ofWireValue(bytes[VERSION_OFFSET]) == null) {
            return "unknown format version " + (bytes[VERSION_OFFSET] & 0xFF);
        }
        if (bytes[2] != Algorithm.AES_256_GCM.wireValue) {
            return "unknown algorithm " + (bytes[2] & 0xFF);
        }
        if (dataKeyId(bytes) <= 0) {
            return "data key id is not positive";
        }
        return null;
    }

    /** Shows the structure, never the ciphertext. */
    @Override
    public String toString() {
        return "Envelope[" + version() + ", " + algorithm() + ", dataKeyId=" + dataKeyId() + ", " + plaintextLength()
                + " plaintext bytes]";
    }
}
