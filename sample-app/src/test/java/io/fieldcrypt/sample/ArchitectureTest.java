package io.fieldcrypt.sample;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The sample application is what a user writes: fieldcrypt's public API only, none of its internal packages. */
class ArchitectureTest {

    @Test
    void sampleApplication_usesNoInternalsOfFieldcrypt() {
        noClasses()
                .that()
                .resideInAPackage("io.fieldcrypt.sample..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.fieldcrypt.internal..", "io.fieldcrypt.hibernate.internal..")
                .because("an application uses fieldcrypt through its API; internal packages may change any time")
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.fieldcrypt.sample"));
    }
}
