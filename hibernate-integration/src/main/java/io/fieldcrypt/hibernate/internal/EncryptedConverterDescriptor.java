package io.fieldcrypt.hibernate.internal;

import jakarta.persistence.AttributeConverter;
import java.lang.reflect.Type;
import org.hibernate.boot.model.convert.spi.AutoApplicableConverterDescriptor;
import org.hibernate.boot.model.convert.spi.ConverterDescriptor;
import org.hibernate.boot.model.convert.spi.JpaAttributeConverterCreationContext;
import org.hibernate.boot.spi.MetadataBuildingContext;
import org.hibernate.models.spi.MemberDetails;
import org.hibernate.resource.beans.spi.ManagedBean;
import org.hibernate.type.descriptor.converter.spi.JpaAttributeConverter;
import org.hibernate.type.descriptor.java.JavaType;

/**
 * Attaches the {@link GuardConverter} instance of one attribute, declaring the attribute's own Java type as the
 * converter's domain type (so that dirty checking and snapshots use that type's semantics) and {@code byte[]} or
 * {@code String} as its relational type.
 */
final class EncryptedConverterDescriptor implements ConverterDescriptor<Object, Object> {

    private static final AutoApplicableConverterDescriptor NEVER_AUTO_APPLIED =
            new AutoApplicableConverterDescriptor() {
                @Override
                public boolean isAutoApplicable() {
                    return false;
                }

                @Override
                public ConverterDescriptor<?, ?> getAutoAppliedConverterDescriptorForAttribute(
                        MemberDetails member, MetadataBuildingContext context) {
                    return null;
                }

                @Override
                public ConverterDescriptor<?, ?> getAutoAppliedConverterDescriptorForCollectionElement(
                        MemberDetails member, MetadataBuildingContext context) {
                    return null;
                }

                @Override
                public ConverterDescriptor<?, ?> getAutoAppliedConverterDescriptorForMapKey(
                        MemberDetails member, MetadataBuildingContext context) {
                    return null;
                }
            };

    private final EncryptedAttribute attribute;

    EncryptedConverterDescriptor(EncryptedAttribute attribute) {
        this.attribute = attribute;
    }

    EncryptedAttribute attribute() {
        return attribute;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<? extends AttributeConverter<Object, Object>> getAttributeConverterClass() {
        return (Class) GuardConverter.class;
    }

    @Override
    public Type getDomainValueResolvedType() {
        return attribute.javaType();
    }

    @Override
    public Type getRelationalValueResolvedType() {
        return relationalType();
    }

    private Class<?> relationalType() {
        return attribute.text() ? String.class : byte[].class;
    }

    @Override
    public AutoApplicableConverterDescriptor getAutoApplyDescriptor() {
        return NEVER_AUTO_APPLIED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public JpaAttributeConverter<Object, Object> createJpaAttributeConverter(
            JpaAttributeConverterCreationContext context) {
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

    /** Hibernate's view of the guard: a converter bean that is exactly this instance. */
    private record Adapter(
            GuardConverter guard,
            JavaType<Object> domain,
            JavaType<Object> relational,
            JavaType<GuardConverter> converterType)
            implements JpaAttributeConverter<Object, Object> {

        @Override
        public Object toDomainValue(Object relationalForm) {
            return guard.convertToEntityAttribute(relationalForm);
        }

        @Override
        public Object toRelationalValue(Object domainForm) {
            return guard.convertToDatabaseColumn(domainForm);
        }

        @Override
        public JavaType<Object> getDomainJavaType() {
            return domain;
        }

        @Override
        public JavaType<Object> getRelationalJavaType() {
            return relational;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public JavaType<? extends AttributeConverter<Object, Object>> getConverterJavaType() {
            return (JavaType) converterType;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public ManagedBean<? extends AttributeConverter<Object, Object>> getConverterBean() {
            return new ManagedBean() {
                @Override
                public Class getBeanClass() {
                    return GuardConverter.class;
                }

                @Override
                public Object getBeanInstance() {
                    return guard;
                }
            };
        }
    }
}
