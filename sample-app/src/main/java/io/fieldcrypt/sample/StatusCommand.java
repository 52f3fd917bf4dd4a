package io.fieldcrypt.sample;

import io.fieldcrypt.hibernate.FieldCryptStatus;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** Data keys by state and master key; values under retired keys. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Shows the data keys by state and master key, and the values still under retired keys.")
final class StatusCommand extends ClinicCommand {

    @Override
    int run(Clinic clinic, PrintWriter out) {
        FieldCryptStatus status = clinic.admin().status();
        out.println("data keys:");
        if (status.dataKeys().isEmpty()) {
            out.println("  (none yet)");
        }
        status.dataKeys()
                .forEach(count ->
                        out.printf("  %-8s %5d under %s%n", count.state(), count.count(), count.masterKeyId()));
        out.println("values under retired data keys:");
        new java.util.TreeMap<>(status.valuesUnderRetiredKeys())
                .forEach((attribute, count) -> out.printf("  %-24s %d%n", attribute, count));
        return 0;
    }
}
