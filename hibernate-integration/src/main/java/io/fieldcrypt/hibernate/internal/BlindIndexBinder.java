package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.BlindIndexSpec;
import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.BlindIndex;
import java.lang.reflect.Type;
import org.hibernate.binder.AttributeBinder;
import org.hibernate.boot.spi.MetadataBuildingContext;
import org.hibernate.mapping.BasicValue;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;

/**
 * Called by Hibernate for every {@code @BlindIndex} handle while the mapping is built: refuses what cannot be a
 * handle, with a message that says what to change, and attaches the handle's {@link IndexConverter}. The source is
 * checked once every attribute is bound ({@link BootModel}).
 */
public final class BlindIndexBinder implements AttributeBinder<BlindIndex> {

    @Override
    public void bind(
            BlindIndex annotation, MetadataBuildingContext context, PersistentClass entity, Property property) {
        if (entity == null) {
            throw refuse(property.getName(), EncryptedBinder.IN_NO_ENTITY);
        }
        String label = EncryptedBinder.label(entity, property);
        if (!(property.getValue() instanceof BasicValue value)) {
            throw refuse(label, "is not a basic attribute; declare the handle with the Java type of its source");
        }
        if (entity.getIdentifierProperty() == property || entity.getVersion() == property) {
            throw refuse(label, "is the id or the version attribute");
        }
        if (property.isNaturalIdentifier()) {
            throw refuse(label, "is a natural id; a handle has no value of its own to look up by (it reads as null)");
        }
        if (EncryptedBinder.isAudited(entity, property, context)) {
            throw refuse(
                    label,
                    "is audited by Envers, which cannot record a handle (it reads as null); mark it" + " @NotAudited");
        }
        if (value.getJpaAttributeConverterDescriptor() != null) {
            throw refuse(label, "already has a converter (@Convert or @Encrypted); a handle has neither");
        }
        if (annotation.source().isBlank()) {
            throw refuse(label, "names no source: set source to the @Encrypted attribute it finds");
        }
        if (annotation.bits() < 1 || annotation.bits() > BlindIndexSpec.MAX_BITS) {
            throw refuse(label, "has bits = " + annotation.bits() + "; use 1 to " + BlindIndexSpec.MAX_BITS);
        }
        if (annotation.keyGroup().length() > BlindIndexSpec.MAX_KEY_GROUP_LENGTH) {
            throw refuse(label, "names a key group longer than " + BlindIndexSpec.MAX_KEY_GROUP_LENGTH + " characters");
        }
        Type type = value.impliedJavaType(context.getBootstrapContext().getTypeConfiguration());
        if (!(type instanceof Class<?> javaType)) {
            throw refuse(label, "has a type fieldcrypt cannot resolve; declare it with its source's Java type");
        }
        if (javaType.isPrimitive()) {
            throw refuse(
                    label,
                    "is a primitive " + javaType + ", which cannot read as null as a handle does; declare"
                            + " it with the wrapper type (Integer, Long, ...), and its source too");
        }
        IndexConverter converter = new IndexConverter(label, annotation.source().trim(), annotation);
        value.setJpaAttributeConverterDescriptor(new IndexConverterDescriptor(converter, javaType).toHibernate());
        value.setExplicitMutabilityPlanAccess(ignored -> EncryptedJavaType.HANDLE_PLAN);
    }

    static ConfigurationException refuse(String label, String why) {
        return new ConfigurationException("@BlindIndex on " + label + " is not supported: " + label + " " + why);
    }
}
