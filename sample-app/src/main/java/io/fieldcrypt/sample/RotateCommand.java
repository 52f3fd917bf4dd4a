package io.fieldcrypt.sample;

import io.fieldcrypt.RotationReport;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** Retires the active data keys. */
@Command(
        name = "rotate-data-keys",
        mixinStandardHelpOptions = true,
        description = "Retires the active data keys; new values get new ones. Then run reencrypt.")
final class RotateCommand extends ClinicCommand {

    @Override
    int run(Clinic clinic, PrintWriter out) {
        RotationReport report = clinic.admin().rotateDataKeys();
        out.printf("retired %d data keys at %s%n", report.retired(), report.retiredAt());
        return 0;
    }
}
