package io.fieldcrypt.hibernate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The fence between modules: the Hibernate integration uses fieldcrypt-core through its public API and SPI only
 * ({@code io.fieldcrypt}, {@code io.fieldcrypt.spi}), never its {@code internal} packages, which may change without
 * notice. A change that reaches into them fails the build here.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.fieldcrypt.hibernate");

    @Test
    void hibernateIntegration_usesNoInternalsOfCore() {
        noClasses()
                .that()
                .resideInAPackage("io.fieldcrypt.hibernate..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.fieldcrypt.internal..")
                .because("fieldcrypt-core's internal packages are not part of its API")
                .check(MAIN);
    }

    @Test
    void publicApi_exposesNoInternalTypeInItsSignatures() {
        noClasses()
                .that()
                .resideInAPackage("io.fieldcrypt.hibernate")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.fieldcrypt.internal..", "org.hibernate..internal..")
                .because("the API package must not tie users to internal types of fieldcrypt-core or Hibernate")
                .check(MAIN);
    }
}
