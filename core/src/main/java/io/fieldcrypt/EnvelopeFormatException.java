package io.fieldcrypt;

/**
 * Bytes that are not a well-formed fieldcrypt envelope: wrong magic byte, unknown version or algorithm,
 * impossible length, or text that is not the envelope's text form.
 */
public final class EnvelopeFormatException extends DecryptionException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message a short, fixed description of the defect; never the bytes themselves
     */
    public EnvelopeFormatException(String message) {
        super(message);
    }

    /**
     * @param message a short, fixed description of the defect; never the bytes themselves
     * @param cause the low-level failure
     */
    public EnvelopeFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public EnvelopeFormatException withContext(String context) {
        return new EnvelopeFormatException(context + ": " + getMessage(), this);
    }
}
