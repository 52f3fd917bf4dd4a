package io.fieldcrypt.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import picocli.CommandLine.Option;

/** The database options of the harnesses: a server given by URL, or an embedded PostgreSQL for the run. */
final class BenchDatabase {

    /** Work on a database, given its JDBC URL. */
    interface Work {
        int run(String url) throws Exception;
    }

    @Option(names = "--jdbc-url", description = "a PostgreSQL server to use instead of an embedded one")
    String jdbcUrl;

    @Option(names = "--jdbc-user", description = "user for --jdbc-url (default: ${DEFAULT-VALUE})")
    String user = "postgres";

    @Option(names = "--jdbc-password", description = "password for --jdbc-url (default: empty)")
    String password = "";

    @Option(
            names = "--jdbc-options",
            description = "pgjdbc options appended to the URL, e.g. prepareThreshold=-1 (binary transfer from the first"
                    + " execution)")
    String options;

    /** Runs {@code work} on the given server, or on an embedded one started for it and stopped after. */
    int run(Work work) throws Exception {
        if (jdbcUrl != null) {
            return work.run(withOptions(jdbcUrl));
        }
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            user = "postgres";
            password = "";
            return work.run(withOptions(pg.getJdbcUrl("postgres", "postgres")));
        }
    }

    private String withOptions(String url) {
        return options == null ? url : url + (url.contains("?") ? "&" : "?") + options;
    }
}
