package io.fieldcrypt.sample;

import io.fieldcrypt.hibernate.ReEncryptOptions;
import io.fieldcrypt.hibernate.ReEncryptReport;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Re-encrypts the values still under retired data keys; resumable after Ctrl-C. */
@Command(
        name = "reencrypt",
        mixinStandardHelpOptions = true,
        description = "Rewrites every value under a retired data key with the current one. Stop it with Ctrl-C at"
                + " any time; running it again resumes where it stopped.")
final class ReEncryptCommand extends ClinicCommand {

    @Option(names = "--batch", defaultValue = "500", description = "rows per transaction (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--max-rows-per-second",
            defaultValue = "0",
            description = "rate limit, 0 for none (default: ${DEFAULT-VALUE})")
    double maxRowsPerSecond;

    @Override
    int run(Clinic clinic, PrintWriter out) {
        long total = clinic.admin().status().valuesUnderRetiredKeys().values().stream()
                .mapToLong(Long::longValue)
                .max()
                .orElse(0);
        ProgressBar progress = new ProgressBar(out, total);
        ReEncryptOptions options;
        try {
            options = ReEncryptOptions.defaults()
                    .withBatchSize(batch)
                    .withMaxRowsPerSecond(maxRowsPerSecond)
                    .withProgress(p -> progress.show(p.scanned()));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ReEncryptReport report = clinic.admin().reEncrypt(options);
        progress.finish(report.scanned());
        out.printf(
                "re-encrypted %d rows (%d read, %d skipped, %d unreadable), %d remaining, in %.1f s%n",
                report.reEncrypted(),
                report.scanned(),
                report.skippedChanged(),
                report.unreadable(),
                report.remaining(),
                report.duration().toMillis() / 1000.0);
        return 0;
    }
}
