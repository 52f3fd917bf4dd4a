package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldCryptException;
import jakarta.persistence.AttributeConverter;

/**
 * The converter of every {@code @Encrypted} attribute: a fail-closed guard, not a cipher. Only a
 * {@link SealedValue} made by fieldcrypt's listeners, holding a well-formed envelope, may reach JDBC; anything else
 * (a JPQL or Criteria parameter, a bulk update, a path no listener saw) is refused, so no plaintext is ever written.
 * Values read from the column are passed on as {@link SealedValue}s for the pre-load listener to open.
 */
public final class GuardConverter implements AttributeConverter<Object, Object> {

    private final String attribute;
    private final boolean text;

    /**
     * @param attribute {@code Entity.attribute}, for messages
     * @param text whether the column holds the text form of the envelope
     */
    GuardConverter(String attribute, boolean text) {
        this.attribute = attribute;
        this.text = text;
    }

    @Override
    public Object convertToDatabaseColumn(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof SealedValue sealed && isWellFormed(sealed.stored())) {
            return sealed.stored();
        }
        throw new FieldCryptException("refusing to write a plaintext value of encrypted attribute " + attribute
                + ": only entity writes through a Session are encrypted. An encrypted attribute cannot be a query"
                + " parameter or the target of a bulk update, because its stored value is bound to its row");
    }

    @Override
    public Object convertToEntityAttribute(Object stored) {
        return stored == null ? null : SealedValue.read(stored);
    }

    private boolean isWellFormed(Object stored) {
        return text
                ? stored instanceof String s && Envelope.isWellFormedText(s)
                : stored instanceof byte[] b && Envelope.isWellFormed(b);
    }

    @Override
    public String toString() {
        return "GuardConverter[" + attribute + (text ? ", text" : ", binary") + "]";
    }
}
