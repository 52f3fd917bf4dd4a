package io.fieldcrypt.hibernate;

import static io.fieldcrypt.hibernate.testing.Sql.execute;
import static io.fieldcrypt.hibernate.testing.Sql.rootCause;
import static io.fieldcrypt.hibernate.testing.Sql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.DiscriminatorColumn;
import jakarta.persistence.DiscriminatorValue;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.PrimaryKeyJoinColumn;
import jakarta.persistence.SecondaryTable;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Migrating into a new column where Hibernate does not write every column on every update, with byte[] values, and
 * mappings that would let the migration erase what it must keep: found by an adversarial review, kept as regressions.
 */
@ExtendWith(TestPostgres.class)
class NewColumnMigrationEdgesTest {

    private static final String KEYS = LocalMasterKeys.spec("k1");

    /** A versioned entity whose collection alone may change: Hibernate then updates only the version. */
    @Entity(name = "Holder")
    @Table(name = "holder")
    static class Holder {
        @Id
        Long id;

        @Version
        int version;

        @Encrypted(migrateFrom = "birth_date")
        @Column(name = "birth_date_enc")
        LocalDate birthDate;

        @ElementCollection
        @CollectionTable(name = "holder_tags")
        List<String> tags = new ArrayList<>();
    }

    @Entity(name = "Animal")
    @Table(name = "animal")
    @Inheritance(strategy = InheritanceType.JOINED)
    static class Animal {
        @Id
        Long id;

        String name;
    }

    /** Its encrypted attribute lives in the subclass table, which a change of the name alone does not write. */
    @Entity(name = "Dog")
    @Table(name = "dog")
    static class Dog extends Animal {
        @Encrypted(migrateFrom = "chip")
        @Column(name = "chip_enc")
        Long chip;
    }

    @Entity(name = "Blob")
    @Table(name = "blob")
    static class Blob {
        @Id
        Long id;

        String name;

        @Encrypted(migrateFrom = "data")
        @Column(name = "data_enc")
        byte[] data;

        @BlindIndex(source = "data")
        @Column(name = "data_bidx")
        byte[] dataIndex;
    }

    @Entity(name = "Note")
    @Table(name = "note")
    static class Note {
        @Id
        Long id;

        @Encrypted(storage = Encrypted.Storage.TEXT, migrateFrom = "TEXT_ENC")
        @Column(name = "text_enc")
        String text;
    }

    @Entity(name = "Party")
    @Table(name = "party")
    @Inheritance(strategy = InheritanceType.SINGLE_TABLE)
    @DiscriminatorColumn(name = "kind")
    static class Party {
        @Id
        Long id;
    }

    @Entity(name = "PartyA")
    @DiscriminatorValue("A")
    static class PartyA extends Party {
        @Encrypted(migrateFrom = "dob")
        @Column(name = "dob_enc")
        LocalDate dob;
    }

    /** A sibling that still maps the legacy column itself. */
    @Entity(name = "PartyB")
    @DiscriminatorValue("B")
    static class PartyB extends Party {
        @Column(name = "dob")
        LocalDate dob;
    }

    @Entity(name = "Contact")
    @Table(name = "contact")
    @SecondaryTable(name = "contact_secret", pkJoinColumns = @PrimaryKeyJoinColumn(name = "contact_id"))
    static class Contact {
        @Id
        Long id;

        @Encrypted(migrateFrom = "dob")
        @Column(name = "dob_enc", table = "contact_secret")
        LocalDate dob;
    }

    @Entity(name = "Odd")
    @Table(name = "odd")
    static class Odd {
        @Id
        Long id;

        @Encrypted(migrateFrom = "dob\" , pg_sleep(1) , \"x")
        @Column(name = "dob_enc")
        LocalDate dob;
    }

    private static SessionFactory migrating(TestDatabase db, Map<String, Object> extra, Class<?>... entities) {
        Map<String, Object> settings = Factories.local(KEYS, "k1");
        settings.put(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "*");
        settings.putAll(extra);
        return Factories.build(db, settings, entities).unwrap(SessionFactory.class);
    }

    @Test
    void updatesThatDoNotWriteTheNewColumn_keepTheLegacyValue(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("edges_partial");
        execute(
                db,
                "create table holder (id bigint primary key, version int not null, birth_date date,"
                        + " birth_date_enc bytea)");
        execute(db, "insert into holder values (1, 0, date '1980-01-02', null)");
        execute(db, "create table animal (id bigint primary key, name text)");
        execute(db, "create table dog (id bigint primary key references animal, chip bigint, chip_enc bytea)");
        execute(db, "insert into animal values (1, 'rex')");
        execute(db, "insert into dog values (1, 4711, null)");
        try (SessionFactory factory = migrating(db, Map.of(), Holder.class, Animal.class, Dog.class)) {
            factory.inTransaction(s -> s.find(Holder.class, 1L).tags.add("x"));
            factory.inTransaction(s -> s.find(Dog.class, 1L).name = "max");

            LocalDate birthDate = factory.fromTransaction(s -> s.find(Holder.class, 1L).birthDate);
            Long chip = factory.fromTransaction(s -> s.find(Dog.class, 1L).chip);

            assertThat(birthDate).isEqualTo(LocalDate.of(1980, 1, 2));
            assertThat(chip).isEqualTo(4711L);
            assertThat(text(db, "select birth_date::text from holder")).isEqualTo("1980-01-02");
            assertThat(text(db, "select chip::text from dog")).isEqualTo("4711");
        }
    }

    @Test
    void byteArrays_readIntact_throughTheCache_andTheJobIndexesThem(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("edges_bytes");
        execute(
                db,
                "create table blob (id bigint primary key, name text, data bytea, data_enc bytea,"
                        + " data_bidx bytea)");
        execute(db, "insert into blob values (1, 'a', '\\x010203', null, null), (2, 'b', '\\x0a0b0c', null, null)");
        Map<String, Object> cache = Map.of(
                "hibernate.cache.use_second_level_cache", "true",
                "hibernate.cache.region.factory_class", "jcache",
                "hibernate.javax.cache.provider", "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider",
                "hibernate.javax.cache.missing_cache_strategy", "create");
        try (SessionFactory factory = migrating(db, cache, Blob.class)) {
            byte[] read = factory.fromTransaction(s -> s.find(Blob.class, 1L).data);
            factory.inTransaction(s -> s.find(Blob.class, 1L).name = "renamed");
            factory.getCache().evictAllRegions();
            FieldCrypt.of(factory).encryptExisting();
            List<Long> found = factory.fromTransaction(
                    s -> s.createSelectionQuery("select b.id from Blob b where b.dataIndex = :v", Long.class)
                            .setParameter("v", new byte[] {10, 11, 12})
                            .getResultList());

            byte[] first = factory.fromTransaction(s -> s.find(Blob.class, 1L).data);
            byte[] second = factory.fromTransaction(s -> s.find(Blob.class, 2L).data);

            assertThat(read).containsExactly(1, 2, 3);
            assertThat(first).containsExactly(1, 2, 3);
            assertThat(second).containsExactly(10, 11, 12);
            assertThat(found).containsExactly(2L);
        }
    }

    /** A value in the new column that does not open is not the application's: its legacy value is not dropped. */
    @Test
    void job_keepsTheLegacyValue_whenTheNewColumnHoldsAValueThatDoesNotOpen(TestDatabase shared) throws SQLException {
        TestDatabase db = shared.newSchema("edges_planted");
        execute(
                db,
                "create table holder (id bigint primary key, version int not null, birth_date date,"
                        + " birth_date_enc bytea)");
        execute(db, "insert into holder values (1, 0, null, null), (2, 0, date '1980-01-02', null)");
        try (SessionFactory factory = migrating(db, Map.of(), Holder.class)) {
            factory.inTransaction(s -> s.find(Holder.class, 1L).birthDate = LocalDate.of(2000, 1, 1));
            execute(
                    db,
                    "update holder set birth_date_enc = (select birth_date_enc from holder where id = 1)"
                            + " where id = 2");

            EncryptExistingReport report = FieldCrypt.of(factory).encryptExisting();

            assertThat(report.remaining()).isEqualTo(1);
            assertThat(text(db, "select birth_date::text from holder where id = 2"))
                    .isEqualTo("1980-01-02");
        }
    }

    @Test
    void legacyColumnsTheMappingStillWrites_orInASecondaryTable_orNotPlainNames_refusedAtBoot(TestDatabase shared) {
        TestDatabase db = shared.newSchema("edges_refused");

        assertThat(rootMessage(() -> migrating(db, Map.of(), Note.class)))
                .startsWith("@Encrypted(migrateFrom = \"TEXT_ENC\") on Note.text: note.text_enc is the attribute's"
                        + " own column");
        assertThat(rootMessage(() -> migrating(db, Map.of(), Party.class, PartyA.class, PartyB.class)))
                .startsWith("@Encrypted(migrateFrom = \"dob\") on PartyA.dob: party.dob is mapped by an attribute");
        assertThat(rootMessage(() -> migrating(db, Map.of(), Contact.class)))
                .startsWith("@Encrypted(migrateFrom = ...) on Contact.dob: its column is in the secondary table"
                        + " contact_secret");
        assertThat(rootMessage(() -> migrating(db, Map.of(), Odd.class))).contains("which is not a plain column name");
    }

    private static String rootMessage(Runnable boot) {
        Throwable[] root = new Throwable[1];
        assertThatThrownBy(boot::run).satisfies(thrown -> {
            root[0] = rootCause(thrown);
        });
        assertThat(root[0]).isInstanceOf(ConfigurationException.class);
        return root[0].getMessage();
    }
}
