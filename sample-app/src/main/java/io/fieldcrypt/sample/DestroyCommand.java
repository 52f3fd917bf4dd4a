package io.fieldcrypt.sample;

import io.fieldcrypt.hibernate.DestroyReport;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Deletes retired data keys that no value uses any more. */
@Command(name = "destroy-retired", mixinStandardHelpOptions = true,
        description = "Deletes the retired data keys once no stored value uses them. What they protected is then"
                + " gone for good, backups included.")
final class DestroyCommand extends ClinicCommand {

    @Option(names = "--min-retired-age", defaultValue = "PT5M",
            description = "only keys retired at least this long ago, ISO-8601 (default: ${DEFAULT-VALUE}, the data"
                    + " key max age); PT0S is safe only when no other instance runs")
    Duration minRetiredAge;

    @Override
    int run(Clinic clinic, PrintWriter out) {
        DestroyReport report = clinic.admin().destroyRetiredDataKeys(minRetiredAge);
        out.printf("destroyed %d retired data keys %s%n", report.destroyed().size(), report.destroyed());
        return 0;
    }
}
