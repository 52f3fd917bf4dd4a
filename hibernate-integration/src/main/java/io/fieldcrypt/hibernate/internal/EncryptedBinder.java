package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.Encrypted;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hibernate.binder.AttributeBinder;
import org.hibernate.boot.spi.MetadataBuildingContext;
import org.hibernate.mapping.BasicValue;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;
import org.hibernate.models.spi.AnnotationTarget;
import org.hibernate.models.spi.ClassDetails;
import org.hibernate.models.spi.FieldDetails;
import org.hibernate.models.spi.MethodDetails;
import org.hibernate.type.descriptor.java.MutabilityPlan;

/**
 * Called by Hibernate for every {@code @Encrypted} attribute while the mapping is built: refuses what cannot be
 * encrypted safely, with a message that says what to change, and attaches the attribute's guard converter and
 * mutability plan.
 */
public final class EncryptedBinder implements AttributeBinder<Encrypted> {

    private static final String ENVERS_AUDITED = "org.hibernate.envers.Audited";
    private static final String ENVERS_NOT_AUDITED = "org.hibernate.envers.NotAudited";
    /** What {@code migrateFrom} may name: a plain SQL identifier, which needs no quoting and carries no SQL. */
    private static final java.util.regex.Pattern LEGACY_COLUMN_NAME =
            java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /**
     * Why an attribute bound with no entity is refused: Hibernate ORM 7.2 calls attribute binders inside an
     * {@code @ElementCollection} of embeddables with a null entity (7.4 fails in its own binder before calling them).
     */
    static final String IN_NO_ENTITY = "is inside an element collection, where fieldcrypt has no entity row to bind it"
            + " to. Encrypt attributes of entities, or of embeddables embedded in entities";

    @Override
    public void bind(Encrypted annotation, MetadataBuildingContext context, PersistentClass entity, Property property) {
        if (entity == null) {
            throw refuse(property.getName(), IN_NO_ENTITY);
        }
        String label = label(entity, property);
        if (entity.getIdentifierProperty() == property || entity.getIdentifier() == property.getValue()) {
            throw refuse(label, "is the id; an id cannot be encrypted because every encrypted value is bound to it");
        }
        if (entity.getVersion() == property) {
            throw refuse(label, "is the version attribute, which the database compares in plain");
        }
        if (!(property.getValue() instanceof BasicValue value)) {
            throw refuse(
                    label,
                    "is an association or a collection; only basic attributes can be encrypted"
                            + " (for an @ElementCollection, encrypt the attributes of the element entity instead)");
        }
        if (property.isLazy()) {
            throw refuse(label, "is lazily fetched; fetch it eagerly (remove fetch = LAZY) to encrypt it");
        }
        if (property.isNaturalIdentifier()) {
            throw refuse(label, "is a natural id, which is looked up by its plain value");
        }
        if (isAudited(entity, property, context)) {
            throw refuse(
                    label,
                    "is audited by Envers, which would copy its values into the audit table; mark the"
                            + " attribute @NotAudited");
        }
        if (value.getJpaAttributeConverterDescriptor() != null) {
            throw refuse(label, "already has an AttributeConverter (@Convert); remove it");
        }
        var typeConfiguration = context.getBootstrapContext().getTypeConfiguration();
        Type type = value.impliedJavaType(typeConfiguration);
        ValueCodec codec = type instanceof Class<?> javaType ? ValueCodec.forType(javaType) : null;
        if (codec == null) {
            throw refuse(
                    label,
                    "is of type " + (type == null ? "unknown" : type.getTypeName())
                            + ", which cannot be encrypted; supported types: " + ValueCodec.supportedTypes());
        }
        Class<?> javaType = (Class<?>) type;
        @SuppressWarnings("unchecked")
        MutabilityPlan<Object> plaintextPlan = (MutabilityPlan<Object>) typeConfiguration
                .getJavaTypeRegistry()
                .resolveDescriptor(javaType)
                .getMutabilityPlan();
        boolean text = annotation.storage() == Encrypted.Storage.TEXT;
        if (annotation.scope().trim().startsWith("fieldcrypt:")) {
            throw refuse(
                    label,
                    "names scope \"" + annotation.scope().trim() + "\"; scopes starting with"
                            + " \"fieldcrypt:\" are reserved for fieldcrypt's own keys: name the scope otherwise");
        }
        Set<String> previousScopes = new LinkedHashSet<>();
        for (String previous : annotation.previousScopes()) {
            if (previous.isBlank()) {
                throw refuse(label, "lists a blank previous scope; name the earlier scope, e.g. \"patient.ssn\"");
            }
            previousScopes.add(previous.trim());
        }
        boolean embedded = !isDirectAttributeOf(entity, property);
        String migrateFrom = annotation.migrateFrom().trim();
        if (!migrateFrom.isEmpty() && !LEGACY_COLUMN_NAME.matcher(migrateFrom).matches()) {
            throw refuse(
                    label,
                    "names migrateFrom = \"" + migrateFrom.replaceAll("[^\\p{Print}]", "?") + "\", which is not a"
                            + " plain column name: use letters, digits and underscores, starting with a letter or"
                            + " an underscore");
        }
        if (!migrateFrom.isEmpty() && embedded) {
            throw refuse(
                    label,
                    "is inside an embeddable and names migrateFrom; existing plaintext is migrated only for"
                            + " attributes of the entity itself: map the attribute on the entity for the migration");
        }
        GuardConverter guard = new GuardConverter(label, text);
        EncryptedAttribute attribute = new EncryptedAttribute(
                label,
                javaType,
                annotation.storage(),
                annotation.scope().trim(),
                Set.copyOf(previousScopes),
                codec,
                guard,
                new SealedMutabilityPlan(label, plaintextPlan, guard),
                embedded,
                migrateFrom.isEmpty() ? null : migrateFrom);
        value.setJpaAttributeConverterDescriptor(new EncryptedConverterDescriptor(attribute).toHibernate());
        value.setExplicitMutabilityPlanAccess(ignored -> attribute.plan());
    }

    /** Whether {@code property} is an attribute of the entity (or a superclass) rather than of an embeddable. */
    private static boolean isDirectAttributeOf(PersistentClass entity, Property property) {
        for (Property candidate : entity.getPropertyClosure()) {
            if (candidate == property) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether Envers audits the attribute: {@code @Audited} on its field or getter (whichever access the entity
     * uses), or on its class or a superclass and not {@code @NotAudited} there. Read from Hibernate's annotation
     * model, so mappings given in XML count as well; by name, since Envers is optional.
     */
    static boolean isAudited(PersistentClass entity, Property property, MetadataBuildingContext context) {
        ClassDetails type = context.getBootstrapContext()
                .getModelsContext()
                .getClassDetailsRegistry()
                .resolveClassDetails(entity.getClassName());
        boolean classAudited = false;
        List<AnnotationTarget> members = new ArrayList<>();
        for (ClassDetails c = type; c != null && !c.getName().equals(Object.class.getName()); c = c.getSuperClass()) {
            classAudited |= hasAnnotation(c, ENVERS_AUDITED);
            FieldDetails field = c.findFieldByName(property.getName());
            if (field != null) {
                members.add(field);
            }
            for (MethodDetails method : c.getMethods()) {
                if (property.getName().equals(method.resolveAttributeName())) {
                    members.add(method);
                }
            }
        }
        boolean memberAudited = members.stream().anyMatch(m -> hasAnnotation(m, ENVERS_AUDITED));
        boolean memberExcluded = members.stream().anyMatch(m -> hasAnnotation(m, ENVERS_NOT_AUDITED));
        return memberAudited || classAudited && !memberExcluded;
    }

    private static boolean hasAnnotation(AnnotationTarget target, String annotationName) {
        for (Annotation annotation : target.getDirectAnnotationUsages()) {
            if (annotation.annotationType().getName().equals(annotationName)) {
                return true;
            }
        }
        return false;
    }

    static String label(PersistentClass entity, Property property) {
        String name = entity.getJpaEntityName() != null ? entity.getJpaEntityName() : entity.getEntityName();
        return name + "." + property.getName();
    }

    private static ConfigurationException refuse(String label, String why) {
        return new ConfigurationException("@Encrypted on " + label + " is not supported: " + label + " " + why);
    }
}
