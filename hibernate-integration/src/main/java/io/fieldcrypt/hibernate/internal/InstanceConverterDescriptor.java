package io.fieldcrypt.hibernate.internal;

import jakarta.persistence.AttributeConverter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
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
 * What fieldcrypt's converter descriptors share: a converter that is one given instance per attribute (it is bound to
 * the session factory's runtime later), never auto-applied, with the Java types fieldcrypt chooses.
 *
 * <p>Hibernate sees it through {@link #toHibernate()}, a proxy of {@link ConverterDescriptor}, because that interface
 * is not the same on every supported Hibernate line: {@code getDomainValueResolvedType()} and
 * {@code getRelationalValueResolvedType()} return a {@code java.lang.reflect.Type} from ORM 7.3 on, and a Classmate
 * {@code ResolvedType} on ORM 7.2 (Spring Boot 4.0's line). No class can implement both, a proxy answers either.
 */
abstract class InstanceConverterDescriptor {

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

    /** @return the class of the converter, as Hibernate reports it */
    abstract Class<? extends AttributeConverter<Object, Object>> getAttributeConverterClass();

    /** @return the attribute's Java type, declared as the converter's domain type */
    abstract Class<?> domainType();

    /** @return the column's Java type, declared as the converter's relational type */
    abstract Class<?> relationalType();

    /** Hibernate's runtime view of the converter, as in {@link ConverterDescriptor#createJpaAttributeConverter}. */
    abstract JpaAttributeConverter<Object, Object> createJpaAttributeConverter(
            JpaAttributeConverterCreationContext context);

    /** @return this descriptor as Hibernate's {@link ConverterDescriptor}, to set on a {@code BasicValue} */
    @SuppressWarnings("unchecked")
    final ConverterDescriptor<Object, Object> toHibernate() {
        return (ConverterDescriptor<Object, Object>) Proxy.newProxyInstance(
                ConverterDescriptor.class.getClassLoader(),
                new Class<?>[] {ConverterDescriptor.class},
                new Handler(this));
    }

    /** @return the fieldcrypt descriptor behind {@code descriptor}, or null when it is not one of fieldcrypt's */
    static InstanceConverterDescriptor of(ConverterDescriptor<?, ?> descriptor) {
        return descriptor != null
                        && Proxy.isProxyClass(descriptor.getClass())
                        && Proxy.getInvocationHandler(descriptor) instanceof Handler handler
                ? handler.descriptor
                : null;
    }

    /** Answers {@link ConverterDescriptor}'s methods, on whichever Hibernate line is present. */
    private static final class Handler implements InvocationHandler {

        private final InstanceConverterDescriptor descriptor;

        Handler(InstanceConverterDescriptor descriptor) {
            this.descriptor = descriptor;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "getAttributeConverterClass":
                    return descriptor.getAttributeConverterClass();
                case "getDomainValueResolvedType":
                    return resolved(descriptor.domainType(), method.getReturnType());
                case "getRelationalValueResolvedType":
                    return resolved(descriptor.relationalType(), method.getReturnType());
                case "getAutoApplyDescriptor":
                    return NEVER_AUTO_APPLIED;
                case "createJpaAttributeConverter":
                    return descriptor.createJpaAttributeConverter((JpaAttributeConverterCreationContext) args[0]);
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return descriptor.getClass().getSimpleName() + "["
                            + descriptor.domainType().getName() + "]";
                default:
                    if (method.isDefault()) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    throw new UnsupportedOperationException(method.toString());
            }
        }

        /**
         * {@code type} as {@code returned}: itself where Hibernate wants a {@code java.lang.reflect.Type} (ORM 7.3 and
         * later), else resolved by Classmate, whose {@code ResolvedType} ORM 7.2 wants (Classmate comes with it).
         */
        private static Object resolved(Class<?> type, Class<?> returned) throws ReflectiveOperationException {
            if (returned.isInstance(type)) {
                return type;
            }
            Class<?> resolverClass =
                    Class.forName("com.fasterxml.classmate.TypeResolver", true, returned.getClassLoader());
            Object resolver = resolverClass.getConstructor().newInstance();
            return resolverClass.getMethod("resolve", Type.class, Type[].class).invoke(resolver, type, new Type[0]);
        }
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
