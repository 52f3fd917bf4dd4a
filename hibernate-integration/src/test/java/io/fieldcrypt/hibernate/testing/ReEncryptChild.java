package io.fieldcrypt.hibernate.testing;

import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.ReEncryptOptions;
import io.fieldcrypt.hibernate.model.Patient;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceConfiguration;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

/**
 * A re-encryption run in a JVM of its own, for the test that kills it mid-run. It prints one line per committed
 * batch on standard output so the parent knows how far it got.
 */
public final class ReEncryptChild {

    private ReEncryptChild() {}

    /**
     * @param args JDBC URL, user, password, {@code fieldcrypt.local.master-keys}
     */
    public static void main(String[] args) {
        HibernatePersistenceConfiguration configuration = new HibernatePersistenceConfiguration("child")
                .managedClass(Patient.class)
                .jdbcUrl(args[0])
                .jdbcCredentials(args[1], args[2])
                .property(PersistenceConfiguration.JDBC_DRIVER, "org.postgresql.Driver");
        Factories.local(args[3], "k1").forEach(configuration::property);
        try (EntityManagerFactory emf = configuration.createEntityManagerFactory()) {
            FieldCrypt.of(emf)
                    .reEncrypt(ReEncryptOptions.defaults()
                            .withBatchSize(10)
                            .withMaxRowsPerSecond(100)
                            .withProgress(progress -> {
                                System.out.println("batch " + progress.scanned());
                                System.out.flush();
                            }));
        }
        System.out.println("done");
    }
}
