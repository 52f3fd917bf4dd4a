package io.fieldcrypt.sample;

import io.fieldcrypt.hibernate.BlindIndexRebuildReport;
import io.fieldcrypt.hibernate.EncryptExistingReport;
import io.fieldcrypt.hibernate.ReEncryptOptions;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Turns the plaintext referral table into an encrypted one, online: fills its blind index from the plaintext, then
 * seals every value in place with a progress bar (docs/MIGRATION.md).
 */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = "Brings the referral table's plaintext e-mails under encryption in place: writes N plaintext"
                + " referrals if the table is empty, fills their blind index, then seals every value with a progress"
                + " bar. Stop it with Ctrl-C at any time; running it again resumes.")
final class MigrateCommand extends ClinicCommand {

    @Option(
            names = "--rows",
            defaultValue = "1000",
            description = "plaintext referrals to write into an empty table first (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--batch", defaultValue = "500", description = "rows per transaction (default: ${DEFAULT-VALUE})")
    int batch;

    @Override
    boolean migrating() {
        return true;
    }

    @Override
    int run(Clinic clinic, PrintWriter out) throws SQLException {
        if (rows < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rows must not be negative");
        }
        int written = writePlaintextIfEmpty(clinic);
        if (written > 0) {
            out.printf("wrote %d plaintext referrals, as a legacy application would%n", written);
        }
        out.println("before: " + sample(clinic));
        ReEncryptOptions options =
                ReEncryptOptions.defaults().withJobName("migrate").withBatchSize(batch);
        clinic.admin().preflightEncryptExisting();
        BlindIndexRebuildReport indexes = clinic.admin().backfillBlindIndexes(options);
        out.printf("blind index filled from the plaintext: %d rows%n", indexes.written());
        long total = clinic.admin().status().plaintextValues().getOrDefault("Referral.contactEmail", 0L);
        ProgressBar progress = new ProgressBar(out, total);
        EncryptExistingReport report =
                clinic.admin().encryptExisting(options.withProgress(p -> progress.show(p.scanned())));
        progress.finish(report.scanned());
        out.printf(
                "encrypted %d values (%d read, %d skipped), %d remaining, in %.1f s%n",
                report.encrypted(),
                report.scanned(),
                report.skipped(),
                report.remaining(),
                report.duration().toMillis() / 1000.0);
        out.println("after:  " + sample(clinic));
        List<Long> found = clinic.sessionFactory()
                .fromTransaction(s -> s.createSelectionQuery(
                                "select r.id from Referral r where r.contactEmailIndex = :e", Long.class)
                        .setParameter("e", "REFERRAL7@example.org")
                        .getResultList());
        out.println("found by blind index (REFERRAL7@example.org): " + found);
        out.println(
                "plaintext left: " + clinic.admin().status().plaintextValues().get("Referral.contactEmail"));
        return 0;
    }

    private int writePlaintextIfEmpty(Clinic clinic) throws SQLException {
        try (Connection c = clinic.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from referral")) {
            rs.next();
            if (rs.getLong(1) > 0 || rows == 0) {
                return 0;
            }
        }
        try (Connection c = clinic.connect();
                PreparedStatement insert = c.prepareStatement(
                        "insert into referral (id, patient_name, contact_email)"
                                + " select i, 'Referral ' || i, 'referral' || i || '@example.org' from generate_series(1, ?) i")) {
            insert.setInt(1, rows);
            return insert.executeUpdate();
        }
    }

    /** The first stored e-mail, as the database holds it. */
    private static String sample(Clinic clinic) throws SQLException {
        try (Connection c = clinic.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select contact_email from referral order by id limit 1")) {
            if (!rs.next()) {
                return "(no referral)";
            }
            String stored = rs.getString(1);
            return stored.length() <= 60 ? stored : stored.substring(0, 57) + "...";
        }
    }
}
