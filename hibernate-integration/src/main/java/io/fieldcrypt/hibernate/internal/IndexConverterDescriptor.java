package io.fieldcrypt.hibernate.internal;

import jakarta.persistence.AttributeConverter;
import org.hibernate.boot.model.convert.spi.JpaAttributeConverterCreationContext;
import org.hibernate.type.descriptor.converter.spi.JpaAttributeConverter;
import org.hibernate.type.descriptor.java.JavaType;

/** Attaches the {@link IndexConverter} of one blind index handle: the handle's Java type to {@code byte[]}. */
final class IndexConverterDescriptor extends InstanceConverterDescriptor {

    private final IndexConverter converter;
    private final Class<?> javaType;

    IndexConverterDescriptor(IndexConverter converter, Class<?> javaType) {
        this.converter = converter;
        this.javaType = javaType;
    }

    IndexConverter converter() {
        return converter;
    }

    /** @return the handle's Java type, which must be its source's */
    Class<?> javaType() {
        return javaType;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<? extends AttributeConverter<Object, Object>> getAttributeConverterClass() {
        return (Class) IndexConverter.class;
    }

    @Override
    Class<?> domainType() {
        return javaType;
    }

    @Override
    Class<?> relationalType() {
        return byte[].class;
    }

    @Override
    @SuppressWarnings("unchecked")
    JpaAttributeConverter<Object, Object> createJpaAttributeConverter(JpaAttributeConverterCreationContext context) {
        var registry = context.getJavaTypeRegistry();
        return new Adapter(
                converter,
                EncryptedJavaType.ofIndexHandle((JavaType<Object>) registry.resolveDescriptor(javaType)),
                (JavaType<Object>) (JavaType<?>) registry.resolveDescriptor(byte[].class),
                registry.resolveDescriptor(IndexConverter.class));
    }
}
