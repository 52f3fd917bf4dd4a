package io.fieldcrypt.hibernate.internal;

import jakarta.persistence.AttributeConverter;
import org.hibernate.boot.model.convert.spi.AutoApplicableConverterDescriptor;
import org.hibernate.boot.model.convert.spi.ConverterDescriptor;
import org.hibernate.boot.spi.MetadataBuildingContext;
import org.hibernate.models.spi.MemberDetails;
import org.hibernate.resource.beans.spi.ManagedBean;
import org.hibernate.type.descriptor.converter.spi.JpaAttributeConverter;
import org.hibernate.type.descriptor.java.JavaType;

/**
 * What fieldcrypt's converter descriptors share: a converter that is one given instance per attribute (it is bound to
 * the session factory's runtime later), never auto-applied, with the Java types fieldcrypt chooses.
 */
abstract class InstanceConverterDescriptor implements ConverterDescriptor<Object, Object> {

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

    @Override
    public AutoApplicableConverterDescriptor getAutoApplyDescriptor() {
        return NEVER_AUTO_APPLIED;
    }

    /** Hibernate's view of a converter that is exactly {@code converter}. */
    record Adapter(
            AttributeConverter<Object, Object> converter,
            JavaType<Object> domain,
            JavaType<Object> relational,
            JavaType<?> converterType)
            implements JpaAttributeConverter<Object, Object> {

        @Override
        public Object toDomainValue(Object relationalForm) {
            return converter.convertToEntityAttribute(relationalForm);
        }

        @Override
        public Object toRelationalValue(Object domainForm) {
            return converter.convertToDatabaseColumn(domainForm);
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
                    return converter.getClass();
                }

                @Override
                public Object getBeanInstance() {
                    return converter;
                }
            };
        }
    }
}
