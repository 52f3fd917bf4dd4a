package io.fieldcrypt.sample;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes made-up patients. */
@Command(name = "seed", mixinStandardHelpOptions = true, description = "Writes N made-up patients.")
final class SeedCommand extends ClinicCommand {

    @Option(names = "--rows", defaultValue = "1000", description = "patients to write (default: ${DEFAULT-VALUE})")
    int rows;

    @Override
    int run(Clinic clinic, PrintWriter out) {
        if (rows < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rows must be at least 1");
        }
        ProgressBar progress = new ProgressBar(out, rows);
        int batch = 500;
        for (int from = 0; from < rows; from += batch) {
            int start = from;
            int end = Math.min(from + batch, rows);
            clinic.sessionFactory().inTransaction(s -> {
                for (int i = start; i < end; i++) {
                    s.persist(Patient.sample(i));
                }
            });
            progress.show(end);
        }
        progress.finish(rows);
        out.println("wrote " + rows + " patients");
        return 0;
    }
}
