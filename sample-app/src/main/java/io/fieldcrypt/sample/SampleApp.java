package io.fieldcrypt.sample;

import io.fieldcrypt.FieldCryptException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The fieldcrypt sample: a small clinic whose patients' personal data is encrypted. By default it runs on an
 * embedded PostgreSQL and a local development master key, both kept in its data folder.
 */
@Command(
        name = "fieldcrypt-sample",
        mixinStandardHelpOptions = true,
        version = "fieldcrypt sample 0.1.0",
        description = "Shows fieldcrypt at work on a small clinic database.",
        subcommands = {
            DemoCommand.class,
            SeedCommand.class,
            StatusCommand.class,
            RewrapCommand.class,
            RotateCommand.class,
            ReEncryptCommand.class,
            DestroyCommand.class,
            MigrateCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:fieldcrypt, the database or the KMS failed (the message says why)",
            "2:bad arguments"
        })
public final class SampleApp {

    /** Exit code when fieldcrypt, the database or the KMS failed. */
    static final int FAILED = 1;

    @Option(
            names = "--data-dir",
            scope = ScopeType.INHERIT,
            defaultValue = "fieldcrypt-sample-data",
            description = "where the embedded database and the development key live (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(
            names = "--jdbc-url",
            scope = ScopeType.INHERIT,
            description = "use this PostgreSQL instead of the embedded one")
    String jdbcUrl;

    @Option(
            names = "--jdbc-user",
            scope = ScopeType.INHERIT,
            defaultValue = "postgres",
            description = "user for --jdbc-url (default: ${DEFAULT-VALUE})")
    String jdbcUser;

    @Option(
            names = "--jdbc-password",
            scope = ScopeType.INHERIT,
            defaultValue = "",
            description = "password for --jdbc-url (default: empty)")
    String jdbcPassword;

    @Option(
            names = "--kms-key-id",
            scope = ScopeType.INHERIT,
            description = "use AWS KMS (or a KMS-compatible endpoint) with this master key instead of the local key")
    String kmsKeyId;

    @Option(names = "--kms-endpoint", scope = ScopeType.INHERIT, description = "a KMS-compatible endpoint URL")
    String kmsEndpoint;

    @Option(names = "--kms-region", scope = ScopeType.INHERIT, description = "the AWS region of the KMS key")
    String kmsRegion;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "print stack traces of failures")
    boolean verbose;

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs one command line with the given output streams; used by {@link #main} and the tests.
     *
     * @return the exit code
     */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        // Hibernate logs through JBoss Logging; send it to SLF4J, which stays silent unless --verbose.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        if (java.util.Arrays.asList(args).contains("--verbose")) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        }
        SampleApp app = new SampleApp();
        CommandLine commandLine = new CommandLine(app);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("error: " + oneLine(e));
            if (app.verbose) {
                e.printStackTrace(line.getErr());
            }
            return FAILED;
        });
        return commandLine.execute(args);
    }

    /**
     * The message of the most telling exception in the chain, on one line: fieldcrypt's own, else the database's,
     * else the innermost.
     */
    private static String oneLine(Throwable e) {
        Throwable telling = null;
        Throwable database = null;
        Throwable innermost = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (telling == null && t instanceof FieldCryptException) {
                telling = t;
            }
            if (database == null && t instanceof java.sql.SQLException) {
                database = t;
            }
            innermost = t;
        }
        Throwable chosen = telling != null ? telling : database != null ? database : innermost;
        String message = chosen.getMessage() == null ? chosen.getClass().getSimpleName() : chosen.getMessage();
        return (chosen == database ? "database: " : "") + message.replace('\n', ' ');
    }
}
