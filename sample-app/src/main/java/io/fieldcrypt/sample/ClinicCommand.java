package io.fieldcrypt.sample;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command that works on the clinic: opens it, runs, closes it. */
abstract class ClinicCommand implements Callable<Integer> {

    @ParentCommand
    SampleApp app;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Clinic clinic = Clinic.open(app, spec.commandLine().getErr(), migrating())) {
            return run(clinic, out);
        }
    }

    /** @return whether the clinic maps the referral table being migrated from plaintext ({@link Referral}) */
    boolean migrating() {
        return false;
    }

    /**
     * @return the exit code
     */
    abstract int run(Clinic clinic, PrintWriter out) throws Exception;
}
