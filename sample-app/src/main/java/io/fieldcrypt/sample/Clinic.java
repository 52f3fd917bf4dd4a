package io.fieldcrypt.sample;

import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.persistence.PersistenceConfiguration;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

/**
 * The running clinic: a database (embedded by default), fieldcrypt configured on the local development key or on
 * KMS, and the Hibernate session factory. Closing it stops what it started.
 */
final class Clinic implements AutoCloseable {

    private static final String LOCAL_KEY_ID = "sample-dev";

    private final EmbeddedPostgres embedded;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final SessionFactory sessionFactory;

    private Clinic(
            EmbeddedPostgres embedded, String jdbcUrl, String user, String password, SessionFactory sessionFactory) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.sessionFactory = sessionFactory;
    }

    /**
     * Opens the clinic the command line asks for, printing warnings about development-only choices.
     *
     * @param migrating whether to map the referral table too, whose e-mail column is being migrated from plaintext
     */
    static Clinic open(SampleApp options, PrintWriter err, boolean migrating) {
        EmbeddedPostgres embedded = null;
        String url = options.jdbcUrl;
        String user = options.jdbcUser;
        String password = options.jdbcPassword;
        try {
            if (url == null) {
                Files.createDirectories(options.dataDir);
                embedded = EmbeddedPostgres.builder()
                        .setDataDirectory(options.dataDir.resolve("postgres"))
                        .setCleanDataDirectory(false)
                        .start();
                url = embedded.getJdbcUrl("postgres", "postgres");
                user = "postgres";
                password = "";
            }
            HibernatePersistenceConfiguration configuration = new HibernatePersistenceConfiguration("clinic")
                    .managedClass(Patient.class)
                    .jdbcUrl(url)
                    .jdbcCredentials(user, password)
                    .schemaToolingAction(Action.UPDATE)
                    .property(PersistenceConfiguration.JDBC_DRIVER, "org.postgresql.Driver")
                    .property("hibernate.jdbc.batch_size", "100");
            if (migrating) {
                configuration
                        .managedClass(Referral.class)
                        .property(FieldCryptSettings.MIGRATION_READ_PLAINTEXT, "Referral.contactEmail");
            }
            if (options.kmsKeyId != null) {
                configuration
                        .property(FieldCryptSettings.KMS_PROVIDER, "aws")
                        .property(FieldCryptSettings.KMS_KEY_ID, options.kmsKeyId);
                if (options.kmsEndpoint != null) {
                    configuration.property(FieldCryptSettings.KMS_ENDPOINT, options.kmsEndpoint);
                }
                if (options.kmsRegion != null) {
                    configuration.property(FieldCryptSettings.KMS_REGION, options.kmsRegion);
                }
            } else {
                configuration
                        .property(FieldCryptSettings.KMS_PROVIDER, "local")
                        .property(FieldCryptSettings.LOCAL_MASTER_KEYS, "file:" + developmentKey(options.dataDir, err))
                        .property(FieldCryptSettings.KMS_KEY_ID, LOCAL_KEY_ID);
            }
            SessionFactory sessionFactory =
                    configuration.createEntityManagerFactory().unwrap(SessionFactory.class);
            return new Clinic(embedded, url, user, password, sessionFactory);
        } catch (IOException e) {
            closeQuietly(embedded);
            throw new UncheckedIOException("cannot use data folder " + options.dataDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(embedded);
            throw e;
        }
    }

    /**
     * The file of the local master key, made on first run. It protects everything the sample encrypts, and it sits
     * next to the data: fine for a demonstration, never for real data.
     */
    private static Path developmentKey(Path dataDir, PrintWriter err) throws IOException {
        Path file = dataDir.resolve("development-master-key.txt");
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.createDirectories(dataDir);
            Files.writeString(
                    file,
                    LOCAL_KEY_ID + ":" + Base64.getEncoder().encodeToString(key) + "\n",
                    StandardOpenOption.CREATE_NEW);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the file keeps the default permissions.
            }
        }
        err.println("WARNING: using the DEVELOPMENT master key in " + file + " - it sits next to the data it"
                + " protects. Use --kms-key-id for anything real.");
        return file.toAbsolutePath();
    }

    SessionFactory sessionFactory() {
        return sessionFactory;
    }

    FieldCrypt admin() {
        return FieldCrypt.of(sessionFactory);
    }

    /** A plain JDBC connection, to show what the database really holds. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    @Override
    public void close() {
        try {
            sessionFactory.close();
        } finally {
            closeQuietly(embedded);
        }
    }

    private static void closeQuietly(EmbeddedPostgres embedded) {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                // Stopping the embedded server failed; the process ends anyway.
            }
        }
    }
}
