package io.fieldcrypt.sample;

import io.fieldcrypt.DataKeyStats;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * The tour: what the database holds, what the application reads, a patient found by an encrypted value, and a moved
 * ciphertext refused.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Writes three patients, shows what the database holds next to what the application reads,"
                + " finds a patient by national id through a blind index, moves a ciphertext to another row with SQL and shows the load refused, then prints KMS calls and"
                + " cache hits.")
final class DemoCommand extends ClinicCommand {

    @Override
    int run(Clinic clinic, PrintWriter out) throws SQLException {
        List<Patient> patients = List.of(
                new Patient(
                        "Ada",
                        "Lyon",
                        "123-45-6789",
                        LocalDate.of(1815, 12, 10),
                        "analytical engine strain",
                        "INS-1815"),
                new Patient(
                        "Grace", "Porto", "987-65-4321", LocalDate.of(1906, 12, 9), "debugging fatigue", "INS-1906"),
                new Patient("Alan", "Turku", "555-12-3456", LocalDate.of(1912, 6, 23), "routine check-up", "INS-1912"));
        clinic.sessionFactory().inTransaction(s -> patients.forEach(s::persist));
        out.println("1. Wrote " + patients.size() + " patients. What the database holds, and what the application"
                + " reads:");
        for (Patient written : patients) {
            Patient read = clinic.sessionFactory().fromTransaction(s -> s.find(Patient.class, written.id));
            out.printf("   Patient#%d %s (%s)%n", read.id, read.displayName, read.city);
            try (Connection c = clinic.connect();
                    PreparedStatement st = c.prepareStatement(
                            "select nationalId, dateOfBirth, diagnosisNotes from Patient where id = ?")) {
                st.setLong(1, read.id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    row(out, "nationalId", hex(rs.getBytes(1)), read.nationalId);
                    row(out, "dateOfBirth", hex(rs.getBytes(2)), String.valueOf(read.dateOfBirth));
                    row(out, "diagnosisNotes", shorten(rs.getString(3)), read.diagnosisNotes);
                }
            }
        }

        String typed = "987 65 4321";
        List<Patient> found = clinic.sessionFactory()
                .fromTransaction(s -> s.createSelectionQuery(
                                "from Patient p where p.nationalIdIndex = :nationalId order by p.id", Patient.class)
                        .setParameter("nationalId", typed)
                        .getResultList());
        out.printf(
                "%n2. Finding patients by national id \"%s\" through its blind index (a keyed hash of its digits in"
                        + " national_id_bidx; the query takes the plaintext):%n",
                typed);
        for (Patient patient : found) {
            out.printf(
                    "   found: %s (Patient#%d), national id %s%n", patient.displayName, patient.id, patient.nationalId);
        }

        Patient victim = patients.get(0);
        Patient source = patients.get(1);
        out.printf(
                "%n3. Copying the nationalId ciphertext of Patient#%d into Patient#%d with plain SQL...%n",
                source.id, victim.id);
        byte[] original;
        try (Connection c = clinic.connect()) {
            original = nationalId(c, victim.id);
            setNationalId(c, victim.id, nationalId(c, source.id));
        }
        try {
            clinic.sessionFactory().inTransaction(s -> s.find(Patient.class, victim.id));
            out.println("   the load was NOT refused - this must never happen");
            return SampleApp.FAILED;
        } catch (RuntimeException refused) {
            out.println("   load refused: " + refused.getMessage());
        } finally {
            try (Connection c = clinic.connect()) {
                setNationalId(c, victim.id, original);
            }
        }
        out.println("   (the original ciphertext is back in place)");

        DataKeyStats stats = clinic.admin().stats();
        out.printf(
                "%n4. Key provider calls: %d GenerateDataKey, %d Decrypt; data key cache: %d hits, %d misses"
                        + " when encrypting, %d hits, %d misses when decrypting.%n",
                stats.generateDataKeyCalls(),
                stats.decryptDataKeyCalls(),
                stats.encryptionKeyHits(),
                stats.encryptionKeyMisses(),
                stats.decryptionKeyHits(),
                stats.decryptionKeyMisses());
        return 0;
    }

    private static void row(PrintWriter out, String column, String stored, String read) {
        out.printf("     %-15s database: %-44s application: %s%n", column, stored, read);
    }

    private static String hex(byte[] bytes) {
        return bytes == null ? "NULL" : shorten("\\x" + HexFormat.of().formatHex(bytes));
    }

    private static String shorten(String text) {
        return text == null ? "NULL" : text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    private static byte[] nationalId(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select nationalId from Patient where id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }

    private static void setNationalId(Connection c, long id, byte[] value) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("update Patient set nationalId = ? where id = ?")) {
            st.setBytes(1, value);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }
}
