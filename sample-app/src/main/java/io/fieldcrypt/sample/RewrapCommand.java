package io.fieldcrypt.sample;

import io.fieldcrypt.RewrapReport;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** Rewraps every data key under the configured master key. */
@Command(
        name = "rewrap",
        mixinStandardHelpOptions = true,
        description = "Re-encrypts every stored data key under the configured master key (no row is touched).")
final class RewrapCommand extends ClinicCommand {

    @Override
    int run(Clinic clinic, PrintWriter out) {
        RewrapReport report = clinic.admin().rewrapDataKeys();
        out.printf(
                "rewrapped %d, already current %d, failed %d%n",
                report.rewrapped(), report.alreadyCurrent(), report.failed());
        return report.failed() == 0 ? 0 : SampleApp.FAILED;
    }
}
