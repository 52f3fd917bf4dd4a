package io.fieldcrypt.hibernate.testing;

import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.model.Subscriber;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

/**
 * A whole life cycle in a JVM of its own, with every logger as verbose as the parent test asks: write, read, update,
 * query, rotate, re-encrypt, rewrap, a native read opened through the admin API (and one refused), upserts, a stateless
 * read, projections, a tampered row read through a Session, a projection and a StatelessSession, a refused query. Every exception it meets is printed in full.
 * The parent then searches all output for plaintexts and keys.
 */
public final class HygieneChild {

    /** Plaintexts the parent searches for; unusual enough not to appear by accident. */
    public static final String NATIONAL_ID = "NID-7Q4Z-";

    public static final String EMAIL = "hygiene.canary.";
    public static final LocalDate BIRTH = LocalDate.of(1717, 7, 17);
    public static final BigDecimal BALANCE = new BigDecimal("987654.321");

    private HygieneChild() {}

    /**
     * @param args JDBC URL, user, password, {@code fieldcrypt.local.master-keys}
     */
    public static void main(String[] args) throws Exception {
        HibernatePersistenceConfiguration configuration = new HibernatePersistenceConfiguration("hygiene")
                .managedClass(Patient.class)
                .managedClass(Subscriber.class)
                .jdbcUrl(args[0])
                .jdbcCredentials(args[1], args[2])
                .schemaToolingAction(Action.CREATE)
                .showSql(true, false, false)
                .property(PersistenceConfiguration.JDBC_DRIVER, "org.postgresql.Driver");
        Factories.local(args[3], "k1").forEach(configuration::property);
        try (EntityManagerFactory emf = configuration.createEntityManagerFactory()) {
            SessionFactory sf = emf.unwrap(SessionFactory.class);
            sf.inTransaction(s -> {
                for (int i = 0; i < 5; i++) {
                    Patient patient = new Patient("p" + i, NATIONAL_ID + i, EMAIL + i + "@example.org", BIRTH, BALANCE);
                    patient.insuranceNumber = NATIONAL_ID + "INS" + i;
                    s.persist(patient);
                }
            });
            sf.inTransaction(s -> s.createSelectionQuery("from Patient", Patient.class)
                    .getResultList()
                    .forEach(p -> p.name = p.name + "!"));
            sf.inTransaction(s -> s.createSelectionQuery("from Patient where name = 'p1!'", Patient.class)
                            .getSingleResult()
                            .nationalId =
                    NATIONAL_ID + "changed");
            sf.inTransaction(s -> s.persist(new Subscriber(EMAIL + "subscriber@example.org")));
            sf.inStatelessTransaction(s -> s.insert(new Subscriber(EMAIL + "stateless@example.org")));
            List<Subscriber> found = sf.fromTransaction(s -> s.createSelectionQuery(
                            "from Subscriber where emailIndex in :e", Subscriber.class)
                    .setParameter("e", List.of(EMAIL + "SUBSCRIBER@example.org", EMAIL + "stateless@example.org"))
                    .getResultList());
            System.out.println("found by blind index: " + found.size());
            List<Subscriber> looked = sf.fromTransaction(s ->
                    FieldCrypt.of(emf).findBy(s, Subscriber.class, "emailIndex", EMAIL + "Subscriber@example.org"));
            System.out.println("found by lookup: " + looked.size());
            System.out.println("orphaned indexes cleared: " + FieldCrypt.of(emf).clearOrphanedBlindIndexes());
            FieldCrypt admin = FieldCrypt.of(emf);
            System.out.println("rotation: " + admin.rotateDataKeys());
            System.out.println("re-encryption: " + admin.reEncrypt());
            System.out.println("rewrap: " + admin.rewrapDataKeys());
            System.out.println("status: " + admin.status());
            System.out.println("stats: " + admin.stats());
            Object[] raw = sf.fromTransaction(
                    s -> s.createNativeQuery("select id, nationalId from Patient where name = 'p4!'", Object[].class)
                            .getSingleResult());
            System.out.println(
                    "opened by native SQL: " + (admin.open(Patient.class, "nationalId", raw[0], raw[1]) != null));
            try {
                admin.open(Patient.class, "nationalId", ((Number) raw[0]).longValue() + 1, raw[1]);
            } catch (RuntimeException e) {
                e.printStackTrace(System.out);
            }
            Patient upserted = new Patient("u", NATIONAL_ID + "upsert", EMAIL + "upsert@example.org", BIRTH, BALANCE);
            upserted.id = 9_999L;
            sf.inStatelessTransaction(s -> s.upsert(upserted));
            sf.inStatelessTransaction(s -> s.upsert(upserted));
            Patient stateless = sf.fromStatelessTransaction(s -> s.get(Patient.class, 9_999L));
            System.out.println("stateless get opened: " + (stateless.nationalId != null));
            List<Object[]> projected = sf.fromTransaction(s -> s.createSelectionQuery(
                            "select p.nationalId, p.email, p.dateOfBirth, p.balance from Patient p", Object[].class)
                    .getResultList());
            System.out.println("projected rows: " + projected.size());
            try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
                    Statement st = c.createStatement()) {
                st.execute("update Patient set nationalId = (select nationalId from Patient where name = 'p2!')"
                        + " where name = 'p3!'");
            }
            try {
                sf.inTransaction(s ->
                        s.createSelectionQuery("from Patient", Patient.class).getResultList());
            } catch (RuntimeException e) {
                e.printStackTrace(System.out);
            }
            try {
                sf.inTransaction(s -> s.createSelectionQuery("select nationalId from Patient", String.class)
                        .getResultList());
            } catch (RuntimeException e) {
                e.printStackTrace(System.out);
            }
            try {
                sf.inStatelessTransaction(s ->
                        s.createSelectionQuery("from Patient", Patient.class).getResultList());
            } catch (RuntimeException e) {
                e.printStackTrace(System.out);
            }
            try {
                sf.inTransaction(s -> s.createSelectionQuery("from Patient where nationalId = :n", Patient.class)
                        .setParameter("n", NATIONAL_ID + "0")
                        .getResultList());
            } catch (RuntimeException e) {
                e.printStackTrace(System.out);
            }
        }
        System.out.println("hygiene run complete");
    }
}
