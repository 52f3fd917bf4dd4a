package io.fieldcrypt.hibernate.internal;

import jakarta.persistence.AttributeConverter;
import org.hibernate.boot.model.convert.spi.JpaAttributeConverterCreationContext;
import org.hibernate.type.descriptor.converter.spi.JpaAttributeConverter;
import org.hibernate.type.descriptor.java.JavaType;

/**
 * Attaches the {@link GuardConverter} instance of one attribute, declaring the attribute's own Java type as the
 * converter's domain type (so that dirty checking and snapshots use that type's semantics) and {@code byte[]} or
 * {@code String} as its relational type.
 */
final class EncryptedConverterDescriptor extends InstanceConverterDescriptor {

    private final EncryptedAttribute attribute;

    EncryptedConverterDescriptor(EncryptedAttribute attribute) {
        this.attribute = attribute;
    }

    EncryptedAttribute attribute() {
        return attribute;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<? extends AttributeConverter<Object, Object>> getAttributeConverterClass() {
        return (Class) GuardConverter.class;
    }

    @Override
    Class<?> domainType() {
        return attribute.javaType();
    }

    @Override
    Class<?> relationalType() {
        return attribute.text() ? String.class : byte[].class;
    }

    @Override
    @SuppressWarnings("unchecked")
    JpaAttributeConverter<Object, Object> createJpaAttributeConverter(JpaAttributeConverterCreationContext context) {
        var registry = context.getJavaTypeRegistry();
        var plaintext = (JavaType<Object>) registry.resolveDescriptor(attribute.javaType());
        return new Adapter(
                attribute.guard(),
                new EncryptedJavaType(plaintext, attribute.plan()),
                (JavaType<Object>) (JavaType<?>)
                        (attribute.text()
                                ? new KeyedReadCheck.Text(attribute.label(), attribute.embedded())
                                : new KeyedReadCheck.Binary(attribute.label(), attribute.embedded())),
                registry.resolveDescriptor(GuardConverter.class));
    }
}
