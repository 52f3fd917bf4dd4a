package io.fieldcrypt.sample;

import io.fieldcrypt.hibernate.DestroyReport;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Deletes retired data keys that no value uses any more. */
@Command(
        name = "destroy-retired",
        mixinStandardHelpOptions = true,
        description = "Deletes the retired data keys once no instance can still encrypt with them and no stored or"
                + " in-flight value uses them. Values they protected can no longer be read through this data key"
                + " table; see docs/OPERATIONS.md for what else real crypto-shredding needs.")
final class DestroyCommand extends ClinicCommand {

    @Option(
            names = "--min-retired-age",
            description = "only keys retired at least this long ago, ISO-8601, instead of waiting for each key's"
                    + " recorded expiry (the default); PT0S is safe only when no other instance runs")
    Duration minRetiredAge;

    @Override
    int run(Clinic clinic, PrintWriter out) {
        DestroyReport report = minRetiredAge == null
                ? clinic.admin().destroyRetiredDataKeys()
                : clinic.admin().destroyRetiredDataKeys(minRetiredAge);
        out.printf("destroyed %d retired data keys %s%n", report.destroyed().size(), report.destroyed());
        return 0;
    }
}
