package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.TableGenerator;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every supported kind of id binds values to their row, warm and in a new factory. */
@ExtendWith(TestPostgres.class)
class IdTypesTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");
    private static final Class<?>[] ENTITIES = {
        StringId.class,
        GeneratedUuid.class,
        AssignedLong.class,
        TableGenerated.class,
        IntegerSequence.class,
        EmbeddedKey.class,
        Ward.class,
        Bed.class,
        CharUuid.class,
        ClassKey.class
    };
    private static TestDatabase db;
    private static SessionFactory sf;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        sf = factory().unwrap(SessionFactory.class);
    }

    @AfterAll
    static void stop() {
        sf.close();
    }

    private static EntityManagerFactory factory() {
        return Factories.build(db, Factories.local(KEYS, "k1"), ENTITIES);
    }

    @Entity(name = "StringId")
    static class StringId {
        @Id
        String id;

        @Encrypted
        String secret;
    }

    @Entity(name = "GeneratedUuid")
    static class GeneratedUuid {
        @Id
        @GeneratedValue(strategy = GenerationType.UUID)
        UUID id;

        @Encrypted
        String secret;
    }

    @Entity(name = "AssignedLong")
    static class AssignedLong {
        @Id
        Long id;

        @Encrypted
        String secret;
    }

    @Entity(name = "TableGenerated")
    static class TableGenerated {
        @Id
        @GeneratedValue(strategy = GenerationType.TABLE, generator = "ids")
        @TableGenerator(name = "ids", table = "id_table")
        Long id;

        @Encrypted
        String secret;
    }

    @Entity(name = "IntegerSequence")
    static class IntegerSequence {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE)
        Integer id;

        @Encrypted
        String secret;
    }

    @Embeddable
    static class VisitKey implements Serializable {
        private static final long serialVersionUID = 1L;
        String clinic;
        Integer number;

        VisitKey() {}

        VisitKey(String clinic, Integer number) {
            this.clinic = clinic;
            this.number = number;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof VisitKey k && Objects.equals(clinic, k.clinic) && Objects.equals(number, k.number);
        }

        @Override
        public int hashCode() {
            return Objects.hash(clinic, number);
        }
    }

    @Entity(name = "EmbeddedKey")
    static class EmbeddedKey {
        @EmbeddedId
        VisitKey id;

        @Encrypted
        String secret;
    }

    static class ClassKeyId implements Serializable {
        private static final long serialVersionUID = 1L;
        String region;
        Long serial;

        ClassKeyId() {}

        ClassKeyId(String region, Long serial) {
            this.region = region;
            this.serial = serial;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClassKeyId k && Objects.equals(region, k.region) && Objects.equals(serial, k.serial);
        }

        @Override
        public int hashCode() {
            return Objects.hash(region, serial);
        }
    }

    @Entity(name = "ClassKey")
    @IdClass(ClassKeyId.class)
    static class ClassKey {
        @Id
        String region;

        @Id
        Long serial;

        @Encrypted
        String secret;
    }

    @Entity(name = "Ward")
    static class Ward {
        @Id
        Long id;
    }

    /** A derived identity: part of the id is an association, stored as its foreign key column. */
    public static class BedId {
        public Long ward;
        public Integer number;

        public BedId() {}

        BedId(Long ward, Integer number) {
            this.ward = ward;
            this.number = number;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BedId b && Objects.equals(ward, b.ward) && Objects.equals(number, b.number);
        }

        @Override
        public int hashCode() {
            return Objects.hash(ward, number);
        }
    }

    @Entity(name = "Bed")
    @IdClass(BedId.class)
    static class Bed {
        @Id
        @jakarta.persistence.ManyToOne
        Ward ward;

        @Id
        Integer number;

        @Encrypted
        String secret;
    }

    /** A UUID id stored as text (char(36), as after a migration from another database). */
    @Entity(name = "CharUuid")
    static class CharUuid {
        @Id
        @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.CHAR)
        UUID id;

        @Encrypted
        String secret;
    }

    /** Persists, then reads back both in this factory and in a new one. */
    private static <T> T roundTrip(Class<T> type, Object id, T entity) {
        sf.inTransaction(s -> s.persist(entity));
        return readBack(type, id);
    }

    /**
     * Reads back through a Session, a StatelessSession, a projection and a new factory: the id read with the
     * column must give the same canonical text as the entity's id.
     */
    private static <T> T readBack(Class<T> type, Object id) {
        T warm = sf.fromTransaction(s -> s.find(type, id));
        T stateless = sf.fromStatelessTransaction(s -> s.get(type, id));
        assertThat(stateless).usingRecursiveComparison().isEqualTo(warm);
        String entityName = sf.getMetamodel().entity(type).getName();
        List<String> projected = sf.fromStatelessTransaction(
                s -> s.createSelectionQuery("select e.secret from " + entityName + " e", String.class)
                        .getResultList());
        assertThat(projected).contains(secretOf(warm));
        try (EntityManagerFactory cold = factory()) {
            T loaded = cold.unwrap(SessionFactory.class).fromTransaction(s -> s.find(type, id));
            assertThat(loaded).usingRecursiveComparison().isEqualTo(warm);
        }
        return warm;
    }

    private static String secretOf(Object entity) {
        try {
            var field = entity.getClass().getDeclaredField("secret");
            return (String) field.get(entity);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void stringId() {
        StringId entity = new StringId();
        entity.id = "patient-ä-1";
        entity.secret = "s1";

        assertThat(roundTrip(StringId.class, entity.id, entity).secret).isEqualTo("s1");
    }

    @Test
    void generatedUuid() {
        GeneratedUuid entity = new GeneratedUuid();
        entity.secret = "s2";
        sf.inTransaction(s -> s.persist(entity));

        assertThat(readBack(GeneratedUuid.class, entity.id).secret).isEqualTo("s2");
    }

    @Test
    void assignedLong_tableGenerated_integerSequence() {
        AssignedLong assigned = new AssignedLong();
        assigned.id = 77L;
        assigned.secret = "s3";
        TableGenerated table = new TableGenerated();
        table.secret = "s4";
        IntegerSequence sequence = new IntegerSequence();
        sequence.secret = "s5";
        sf.inTransaction(s -> {
            s.persist(table);
            s.persist(sequence);
        });

        assertThat(roundTrip(AssignedLong.class, 77L, assigned).secret).isEqualTo("s3");
        assertThat(readBack(TableGenerated.class, table.id).secret).isEqualTo("s4");
        assertThat(readBack(IntegerSequence.class, sequence.id).secret).isEqualTo("s5");
    }

    @Test
    void embeddedId_roundTripsAndSwapBetweenKeysFails() throws SQLException {
        EmbeddedKey first = new EmbeddedKey();
        first.id = new VisitKey("clinic-7", 1024);
        first.secret = "visit notes";
        EmbeddedKey second = new EmbeddedKey();
        second.id = new VisitKey("clinic-7", 1025);
        second.secret = "other notes";
        sf.inTransaction(s -> s.persist(second));

        assertThat(roundTrip(EmbeddedKey.class, first.id, first).secret).isEqualTo("visit notes");

        sql("create table saved_secret as select secret from EmbeddedKey where number = 1024");
        sql("update EmbeddedKey set secret = (select secret from EmbeddedKey where number = 1025)"
                + " where number = 1024");
        try {
            assertThatThrownBy(() -> sf.inTransaction(s -> s.find(EmbeddedKey.class, new VisitKey("clinic-7", 1024))))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageStartingWith("cannot decrypt EmbeddedKey.secret of EmbeddedKey#[\"clinic-7\",1024]:");
        } finally {
            sql("update EmbeddedKey set secret = (select secret from saved_secret) where number = 1024");
            sql("drop table saved_secret");
        }
    }

    @Test
    void idClass_roundTrips() {
        ClassKey entity = new ClassKey();
        entity.region = "eu";
        entity.serial = 5L;
        entity.secret = "s6";

        assertThat(roundTrip(ClassKey.class, new ClassKeyId("eu", 5L), entity).secret)
                .isEqualTo("s6");
    }

    @Test
    void uuidIdInACharColumn_roundTrips() {
        CharUuid entity = new CharUuid();
        entity.id = UUID.randomUUID();
        entity.secret = "c1";

        assertThat(roundTrip(CharUuid.class, entity.id, entity).secret).isEqualTo("c1");
    }

    /** The key kinds come from the id's columns: an association in the id travels as its foreign key. */
    @Test
    void idClassWithAnAssociation_roundTrips() {
        Ward ward = new Ward();
        ward.id = 31L;
        Bed bed = new Bed();
        bed.ward = ward;
        bed.number = 4;
        bed.secret = "b1";
        sf.inTransaction(s -> {
            s.persist(ward);
            s.persist(bed);
        });

        Bed loaded = sf.fromTransaction(s -> s.find(Bed.class, new BedId(31L, 4)));
        List<String> projected = sf.fromTransaction(
                s -> s.createSelectionQuery("select b.secret from Bed b where b.number = 4", String.class)
                        .getResultList());
        assertThat(loaded.secret).isEqualTo("b1");
        assertThat(projected).containsExactly("b1");
    }

    @Test
    void reEncryption_opensAndResealsEveryIdKind() {
        StringId text = new StringId();
        text.id = "re-" + UUID.randomUUID();
        text.secret = "r1";
        GeneratedUuid uuid = new GeneratedUuid();
        uuid.secret = "r2";
        EmbeddedKey embedded = new EmbeddedKey();
        embedded.id = new VisitKey("clinic-9", 7);
        embedded.secret = "r3";
        ClassKey classKey = new ClassKey();
        classKey.region = "ap";
        classKey.serial = 9L;
        classKey.secret = "r4";
        IntegerSequence sequence = new IntegerSequence();
        sequence.secret = "r5";
        CharUuid charUuid = new CharUuid();
        charUuid.id = UUID.randomUUID();
        charUuid.secret = "r6";
        sf.inTransaction(s -> {
            s.persist(text);
            s.persist(uuid);
            s.persist(embedded);
            s.persist(classKey);
            s.persist(sequence);
            s.persist(charUuid);
        });
        FieldCrypt admin = FieldCrypt.of(sf);
        admin.rotateDataKeys();

        ReEncryptReport report = admin.reEncrypt();

        assertThat(report.unreadable()).isZero();
        assertThat(report.remaining()).isZero();
        assertThat(report.reEncrypted()).isGreaterThanOrEqualTo(6);
        assertThat(readBack(StringId.class, text.id).secret).isEqualTo("r1");
        assertThat(readBack(GeneratedUuid.class, uuid.id).secret).isEqualTo("r2");
        assertThat(readBack(EmbeddedKey.class, embedded.id).secret).isEqualTo("r3");
        assertThat(readBack(ClassKey.class, new ClassKeyId("ap", 9L)).secret).isEqualTo("r4");
        assertThat(readBack(IntegerSequence.class, sequence.id).secret).isEqualTo("r5");
        assertThat(readBack(CharUuid.class, charUuid.id).secret).isEqualTo("r6");
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
