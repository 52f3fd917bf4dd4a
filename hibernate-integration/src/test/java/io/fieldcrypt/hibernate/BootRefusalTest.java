package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Access;
import jakarta.persistence.AccessType;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Basic;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Version;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.hibernate.annotations.NaturalId;
import org.hibernate.annotations.OptimisticLockType;
import org.hibernate.annotations.OptimisticLocking;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.query.sqm.mutation.internal.SqmMultiTableMutationStrategyProviderStandard;
import org.hibernate.query.sqm.mutation.spi.SqmMultiTableMutationStrategyProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What cannot be encrypted safely is refused when the factory is built, with a message that says what to do. */
@ExtendWith(TestPostgres.class)
class BootRefusalTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    private final TestDatabase db;

    BootRefusalTest(TestDatabase db) {
        this.db = db;
    }

    private ConfigurationException bootFailure(Map<String, Object> settings, Class<?>... entities) {
        Throwable thrown = null;
        try {
            Factories.build(db, settings, entities).close();
        } catch (RuntimeException e) {
            thrown = e;
        }
        assertThat(thrown).as("the factory must not boot").isNotNull();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException configuration) {
                return configuration;
            }
        }
        throw new AssertionError("no ConfigurationException in the cause chain", thrown);
    }

    private ConfigurationException bootFailure(Class<?>... entities) {
        return bootFailure(Factories.local(KEYS, "k1"), entities);
    }

    @Entity(name = "IdentityPerson")
    @Inheritance(strategy = InheritanceType.JOINED)
    static class IdentityPerson {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;

        @Encrypted
        String secret;
    }

    @Entity(name = "IdentityDoctor")
    static class IdentityDoctor extends IdentityPerson {
        @Encrypted
        String licence;
    }

    @Test
    void identityIdWithEncryptedAttributesInTwoTables_refusedWithSequenceAdvice() {
        assertThat(bootFailure(IdentityPerson.class, IdentityDoctor.class))
                .hasMessageStartingWith("@Encrypted on IdentityPerson.secret: IdentityPerson gets its id from an"
                        + " IDENTITY column and has encrypted attributes in more than one table")
                .hasMessageContaining("@GeneratedValue(strategy = GenerationType.SEQUENCE)");
    }

    @Entity(name = "DecimalKeyed")
    static class DecimalKeyed {
        @Id
        @Column(precision = 10, scale = 2)
        BigDecimal id;

        @Encrypted
        String secret;
    }

    @Entity(name = "TimestampKeyed")
    static class TimestampKeyed {
        @Id
        OffsetDateTime id;

        @Encrypted
        String secret;
    }

    @Entity(name = "DateKeyed")
    static class DateKeyed {
        @Id
        Date id;

        @Encrypted
        String secret;
    }

    @Embeddable
    record VisitKey(String clinic, LocalDateTime at) {}

    @Entity(name = "VisitKeyed")
    static class VisitKeyed {
        @EmbeddedId
        VisitKey id;

        @Encrypted
        String secret;
    }

    /**
     * Ids whose text changes on a database round trip ({@code numeric(10,2)} pads the scale, timestamps lose
     * nanoseconds or offsets) would write values that never open again: refused when the factory is built.
     */
    @Test
    void idTypeWithoutStableText_refusedNamingEntityTypeAndAlternatives() {
        String advice = ", whose value does not survive a database round trip unchanged (its text would differ when"
                + " read back, and the values could never be opened again). Use an id of type Long, Integer, Short,"
                + " String or UUID, or a composite id of those";
        assertThat(bootFailure(DecimalKeyed.class))
                .hasMessage("@Encrypted on DecimalKeyed.secret binds every value"
                        + " to its row's id, but the id of DecimalKeyed is of type java.math.BigDecimal" + advice);
        assertThat(bootFailure(TimestampKeyed.class))
                .hasMessage("@Encrypted on TimestampKeyed.secret binds every"
                        + " value to its row's id, but the id of TimestampKeyed is of type java.time.OffsetDateTime"
                        + advice);
        assertThat(bootFailure(DateKeyed.class))
                .hasMessage("@Encrypted on DateKeyed.secret binds every value to its"
                        + " row's id, but the id of DateKeyed is of type java.util.Date" + advice);
        assertThat(bootFailure(VisitKeyed.class))
                .hasMessage("@Encrypted on VisitKeyed.secret binds every value to"
                        + " its row's id, but the id of VisitKeyed has a part of type java.time.LocalDateTime"
                        + advice);
    }

    @Entity(name = "EncryptedId")
    static class EncryptedId {
        @Id
        @Encrypted
        String id;
    }

    @Test
    void encryptedId_refused() {
        assertThat(bootFailure(EncryptedId.class))
                .hasMessage(
                        "@Encrypted on EncryptedId.id is not supported:"
                                + " EncryptedId.id is the id; an id cannot be encrypted because every encrypted value is bound to it");
    }

    @Entity(name = "EncryptedVersion")
    static class EncryptedVersion {
        @Id
        Long id;

        @Version
        @Encrypted
        Integer version;
    }

    @Test
    void encryptedVersion_refused() {
        assertThat(bootFailure(EncryptedVersion.class))
                .hasMessage("@Encrypted on EncryptedVersion.version is not"
                        + " supported: EncryptedVersion.version is the version attribute, which the database compares in"
                        + " plain");
    }

    @Entity(name = "EncryptedAssociation")
    static class EncryptedAssociation {
        @Id
        Long id;

        @ManyToOne
        @Encrypted
        Patient patient;
    }

    @Test
    void encryptedAssociation_refused() {
        assertThat(bootFailure(EncryptedAssociation.class, Patient.class))
                .hasMessage("@Encrypted on"
                        + " EncryptedAssociation.patient is not supported: EncryptedAssociation.patient is an association or"
                        + " a collection; only basic attributes can be encrypted (for an @ElementCollection, encrypt the"
                        + " attributes of the element entity instead)");
    }

    @Entity(name = "EncryptedCollection")
    static class EncryptedCollection {
        @Id
        Long id;

        @ElementCollection
        @Encrypted
        List<String> phones;
    }

    @Test
    void encryptedElementCollection_refused() {
        assertThat(bootFailure(EncryptedCollection.class))
                .hasMessageStartingWith("@Encrypted on"
                        + " EncryptedCollection.phones is not supported: EncryptedCollection.phones is an association or a"
                        + " collection");
    }

    @Entity(name = "LazySecret")
    static class LazySecret {
        @Id
        Long id;

        @Basic(fetch = FetchType.LAZY)
        @Encrypted
        String secret;
    }

    @Test
    void lazyBasic_refused() {
        assertThat(bootFailure(LazySecret.class))
                .hasMessage("@Encrypted on LazySecret.secret is not supported:"
                        + " LazySecret.secret is lazily fetched; fetch it eagerly (remove fetch = LAZY) to encrypt it");
    }

    @Embeddable
    static class Address {
        @Encrypted
        String street;
    }

    @Entity(name = "WithAddresses")
    static class WithAddresses {
        @Id
        Long id;

        @ElementCollection
        List<Address> addresses;
    }

    /**
     * Hibernate 7.4 does not call an attribute binder inside an element collection: it fails itself (a
     * NullPointerException in its binder) before fieldcrypt sees the attribute. Hibernate 7.2 calls it with no entity,
     * and fieldcrypt refuses the attribute. Either way the factory does not boot; fieldcrypt's own check (the
     * attribute is in no entity's state) stands behind it.
     */
    @Test
    void insideAnElementCollection_refusedAtBoot() {
        assertThatThrownBy(() -> Factories.build(db, Factories.local(KEYS, "k1"), WithAddresses.class)
                        .close())
                .satisfiesAnyOf(
                        thrown -> assertThat(thrown)
                                .isInstanceOf(NullPointerException.class)
                                .hasStackTraceContaining(
                                        "org.hibernate.boot.model.internal.Binders.callPropertyBinder"),
                        thrown -> assertThat(thrown)
                                .hasRootCauseInstanceOf(ConfigurationException.class)
                                .hasRootCauseMessage("@Encrypted on street is not supported: street is inside an"
                                        + " element collection, where fieldcrypt has no entity row to bind it to."
                                        + " Encrypt attributes of entities, or of embeddables embedded in entities"));
    }

    @Embeddable
    static class SecretKey implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        Long number;

        @Encrypted
        String part;

        @Override
        public boolean equals(Object other) {
            return other instanceof SecretKey key
                    && java.util.Objects.equals(number, key.number)
                    && java.util.Objects.equals(part, key.part);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(number, part);
        }
    }

    @Entity(name = "SecretKeyed")
    static class SecretKeyed {
        @EmbeddedId
        SecretKey id;
    }

    @Test
    void insideAnEmbeddedId_refused() {
        assertThat(bootFailure(SecretKeyed.class))
                .hasMessageStartingWith("@Encrypted on SecretKeyed.")
                .hasMessageContaining("is part of the id of " + SecretKeyed.class.getName());
    }

    @Entity(name = "ImmutableCached")
    @org.hibernate.annotations.Immutable
    @jakarta.persistence.Cacheable
    @org.hibernate.annotations.Cache(usage = org.hibernate.annotations.CacheConcurrencyStrategy.READ_ONLY)
    static class ImmutableCached {
        @Id
        Long id;

        @Encrypted
        String secret;
    }

    @Test
    void referenceCacheEntriesOfAnImmutableEntity_refused() {
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        settings.put("hibernate.cache.use_second_level_cache", "true");
        settings.put("hibernate.cache.region.factory_class", "jcache");
        settings.put(
                "hibernate.javax.cache.provider", "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider");
        settings.put("hibernate.javax.cache.missing_cache_strategy", "create");
        settings.put("hibernate.cache.use_reference_entries", "true");

        assertThat(bootFailure(settings, ImmutableCached.class))
                .hasMessage("@Encrypted on ImmutableCached.secret cannot be used with"
                        + " hibernate.cache.use_reference_entries on the immutable entity ImmutableCached: the"
                        + " second-level cache would hold the entity itself, with its plaintext; turn reference entries"
                        + " off");
    }

    @Entity(name = "NaturalSecret")
    static class NaturalSecret {
        @Id
        Long id;

        @NaturalId
        @Encrypted
        String code;
    }

    @Test
    void naturalId_refused() {
        assertThat(bootFailure(NaturalSecret.class))
                .hasMessage("@Encrypted on NaturalSecret.code is not supported:"
                        + " NaturalSecret.code is a natural id, which is looked up by its plain value");
    }

    @Converter
    static class Upper implements AttributeConverter<String, String> {
        @Override
        public String convertToDatabaseColumn(String value) {
            return value;
        }

        @Override
        public String convertToEntityAttribute(String value) {
            return value;
        }
    }

    /** Property access: the annotations sit on the getters, where Envers reads them too. */
    @Entity(name = "AuditedGetter")
    @Access(AccessType.PROPERTY)
    static class AuditedGetter {
        private Long id;
        private String secret;

        @Id
        Long getId() {
            return id;
        }

        void setId(Long id) {
            this.id = id;
        }

        @Encrypted
        @org.hibernate.envers.Audited
        String getSecret() {
            return secret;
        }

        void setSecret(String secret) {
            this.secret = secret;
        }
    }

    @Test
    void enversAuditedGetterWithPropertyAccess_refused() {
        assertThat(bootFailure(AuditedGetter.class))
                .hasMessage("@Encrypted on AuditedGetter.secret is not supported:"
                        + " AuditedGetter.secret is audited by Envers, which would copy its values into the audit table;"
                        + " mark the attribute @NotAudited");
    }

    @Entity(name = "ConvertedSecret")
    static class ConvertedSecret {
        @Id
        Long id;

        @Convert(converter = Upper.class)
        @Encrypted
        String secret;
    }

    @Test
    void withOwnConverter_refused() {
        assertThat(bootFailure(ConvertedSecret.class))
                .hasMessage("@Encrypted on ConvertedSecret.secret is not"
                        + " supported: ConvertedSecret.secret already has an AttributeConverter (@Convert); remove it");
    }

    @Entity(name = "UnsupportedType")
    static class UnsupportedType {
        @Id
        Long id;

        @Encrypted
        Double ratio;
    }

    @Test
    void unsupportedType_refusedListingSupportedOnes() {
        assertThat(bootFailure(UnsupportedType.class))
                .hasMessage("@Encrypted on UnsupportedType.ratio is not"
                        + " supported: UnsupportedType.ratio is of type java.lang.Double, which cannot be encrypted;"
                        + " supported types: String, byte[], Integer, Long, Short, Boolean, BigDecimal, BigInteger, UUID,"
                        + " LocalDate, LocalDateTime, LocalTime, Instant, OffsetDateTime and enums");
    }

    @Entity(name = "LockAll")
    @OptimisticLocking(type = OptimisticLockType.ALL)
    @org.hibernate.annotations.DynamicUpdate
    static class LockAll {
        @Id
        Long id;

        @Encrypted
        String secret;
    }

    @Test
    void optimisticLockAll_refused() {
        assertThat(bootFailure(LockAll.class))
                .hasMessage("@Encrypted on LockAll.secret cannot be used with"
                        + " OptimisticLockType.ALL on LockAll, which compares old values in the UPDATE's WHERE clause; use a"
                        + " @Version attribute instead");
    }

    @Entity(name = "AuditedSecret")
    @org.hibernate.envers.Audited
    static class AuditedSecret {
        @Id
        Long id;

        @Encrypted
        String secret;
    }

    @Test
    void enversAuditedAttribute_refused() {
        assertThat(bootFailure(AuditedSecret.class))
                .hasMessage("@Encrypted on AuditedSecret.secret is not supported:"
                        + " AuditedSecret.secret is audited by Envers, which would copy its values into the audit table; mark"
                        + " the attribute @NotAudited");
    }

    @Entity(name = "AuditedButExcluded")
    @org.hibernate.envers.Audited
    static class AuditedButExcluded {
        @Id
        Long id;

        String note;

        @Encrypted
        @org.hibernate.envers.NotAudited
        String secret;
    }

    @Test
    void enversAuditedEntityWithNotAuditedSecret_boots() {
        try (var emf = Factories.build(db, Factories.local(KEYS, "k1"), AuditedButExcluded.class)) {
            AuditedButExcluded entity = new AuditedButExcluded();
            entity.id = 1L;
            entity.note = "n";
            entity.secret = "audit-free";
            emf.unwrap(org.hibernate.SessionFactory.class).inTransaction(s -> s.persist(entity));
            String read = emf.unwrap(org.hibernate.SessionFactory.class)
                    .fromTransaction(s -> s.find(AuditedButExcluded.class, 1L).secret);
            assertThat(read).isEqualTo("audit-free");
        }
    }

    @Entity(name = "Plain")
    static class Plain {
        @Id
        Long id;

        String name;
    }

    @Test
    void noEncryptedAttribute_bootsWithoutFieldcrypt() {
        try (var emf = Factories.build(db, Map.of(), Plain.class)) {
            assertThatThrownBy(() -> FieldCrypt.of(emf))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("fieldcrypt is not active in this EntityManagerFactory: it has no @Encrypted"
                            + " attribute, or fieldcrypt.enabled is false");
        }
    }

    @Test
    void disabledWithEncryptedAttributes_refused() {
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        settings.put(FieldCryptSettings.ENABLED, "false");

        assertThat(bootFailure(settings, Patient.class))
                .hasMessage("fieldcrypt.enabled is false, but Patient.balance"
                        + " is @Encrypted: remove the annotations or enable fieldcrypt; encrypted attributes are never written"
                        + " in plain");
    }
    /** The check of bulk statements on multi-table entities lives in a service; replacing it is refused. */
    @Test
    void replacedMultiTableStrategyService_refusedNamingTheSettingsToUseInstead() {
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        settings.put("hibernate.connection.url", db.jdbcUrl());
        settings.put("hibernate.connection.username", db.user());
        settings.put("hibernate.connection.password", db.password());
        StandardServiceRegistry registry = new StandardServiceRegistryBuilder()
                .applySettings(settings)
                .addService(
                        SqmMultiTableMutationStrategyProvider.class,
                        new SqmMultiTableMutationStrategyProviderStandard())
                .build();
        try {
            assertThatThrownBy(() -> new MetadataSources(registry)
                            .addAnnotatedClass(Patient.class)
                            .buildMetadata()
                            .buildSessionFactory()
                            .close())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("the service " + SqmMultiTableMutationStrategyProvider.class.getName()
                            + " is " + SqmMultiTableMutationStrategyProviderStandard.class.getName()
                            + " instead of fieldcrypt's, so bulk statements")
                    .hasMessageEndingWith("configure strategies with hibernate.query.mutation_strategy and"
                            + " hibernate.query.insert_strategy instead of replacing the service");
        } finally {
            StandardServiceRegistryBuilder.destroy(registry);
        }
    }

    @Entity(name = "IndexWithoutSource")
    static class IndexWithoutSource {
        @Id
        Long id;

        String email;

        @BlindIndex(source = "email")
        String emailIndex;
    }

    @Entity(name = "IndexOfOtherType")
    static class IndexOfOtherType {
        @Id
        Long id;

        @Encrypted
        LocalDate born;

        @BlindIndex(source = "born")
        String bornIndex;
    }

    @Entity(name = "CasefoldedDate")
    static class CasefoldedDate {
        @Id
        Long id;

        @Encrypted
        LocalDate born;

        @BlindIndex(source = "born", transform = BlindIndex.Transform.CASEFOLD)
        LocalDate bornIndex;
    }

    @Entity(name = "ShortIndex")
    static class ShortIndex {
        @Id
        Long id;

        @Encrypted
        String email;

        @BlindIndex(source = "email", bits = 16)
        @Column(unique = true)
        String emailIndex;
    }

    @Entity(name = "IndexInOtherTable")
    @jakarta.persistence.SecondaryTable(name = "index_elsewhere")
    static class IndexInOtherTable {
        @Id
        Long id;

        @Encrypted
        String email;

        @BlindIndex(source = "email")
        @Column(table = "index_elsewhere")
        String emailIndex;
    }

    @Test
    void blindIndexMisdeclared_refusedSayingWhatToChange() {
        assertThat(bootFailure(IndexWithoutSource.class))
                .hasMessage(
                        "@BlindIndex on IndexWithoutSource.emailIndex is not supported: IndexWithoutSource.emailIndex"
                                + " names source = \"email\", which is not an @Encrypted attribute of IndexWithoutSource"
                                + " itself (not inside an embeddable); name one");
        assertThat(bootFailure(IndexOfOtherType.class))
                .hasMessageEndingWith("is a String, but its source IndexOfOtherType.born is a LocalDate; declare the"
                        + " handle with the source's type");
        assertThat(bootFailure(CasefoldedDate.class))
                .hasMessageEndingWith("has transform = CASEFOLD, which applies to strings only; use NONE");
        assertThat(bootFailure(ShortIndex.class))
                .hasMessageEndingWith("is unique but has 16 bits: a truncated index gives distinct values equal"
                        + " hashes, which a unique constraint would reject. Use at least 128 bits for uniqueness");
        assertThat(bootFailure(IndexInOtherTable.class))
                .hasMessageEndingWith("is in table index_elsewhere, but its source IndexInOtherTable.email is in"
                        + " IndexInOtherTable; put the handle's column in its source's table (@Column(table = ...))");
    }

    @Entity(name = "PrimitiveHandle")
    static class PrimitiveHandle {
        @Id
        Long id;

        @Encrypted
        Integer pin;

        @BlindIndex(source = "pin")
        int pinIndex;
    }

    @Entity(name = "NaturalIdHandle")
    static class NaturalIdHandle {
        @Id
        Long id;

        @Encrypted
        String email;

        @NaturalId
        @BlindIndex(source = "email")
        String emailIndex;
    }

    @Test
    void handlesThatCannotReadAsNull_refused() {
        assertThat(bootFailure(PrimitiveHandle.class))
                .hasMessageEndingWith("is a primitive int, which cannot read as null as a handle does; declare it with"
                        + " the wrapper type (Integer, Long, ...), and its source too");
        assertThat(bootFailure(NaturalIdHandle.class))
                .hasMessageEndingWith(
                        "is a natural id; a handle has no value of its own to look up by (it reads as" + " null)");
    }

    @Entity(name = "ReservedScope")
    static class ReservedScope {
        @Id
        Long id;

        @Encrypted(scope = "fieldcrypt:blind-index:x")
        String email;
    }

    @Test
    void reservedScope_refused() {
        assertThat(bootFailure(ReservedScope.class))
                .hasMessageEndingWith("scopes starting with \"fieldcrypt:\" are reserved for fieldcrypt's own keys:"
                        + " name the scope otherwise");
    }

    @Entity(name = "PaddedId")
    static class PaddedId {
        @Id
        @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.CHAR)
        @Column(length = 8)
        String code;

        @Encrypted
        String secret;
    }

    @Test
    void stringIdInAFixedLengthCharColumn_refused() {
        assertThat(bootFailure(PaddedId.class))
                .hasMessageStartingWith("the id of PaddedId is a String in a fixed-length char(n) column")
                .hasMessageEndingWith("Map the id column as varchar or text");
    }
}
