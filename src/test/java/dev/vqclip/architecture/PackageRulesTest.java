package dev.vqclip.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The engine's own layers, and no package cycles anywhere: each package can be read, tested and changed from the
 * bottom up.
 */
class PackageRulesTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.vqclip");
    }

    @Test
    void engineLayersPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("base").definedBy("dev.vqclip.engine", "dev.vqclip.engine.nn..", "dev.vqclip.engine.io..",
                        "dev.vqclip.engine.image..", "dev.vqclip.engine.weights..", "dev.vqclip.engine.optim..")
                .layer("models").definedBy("dev.vqclip.engine.vqgan..", "dev.vqclip.engine.clip..",
                        "dev.vqclip.engine.guide..", "dev.vqclip.engine.augment..", "dev.vqclip.engine.check..")
                .layer("run").definedBy("dev.vqclip.engine.run..")
                .whereLayer("run").mayNotBeAccessedByAnyLayer()
                .whereLayer("models").mayOnlyBeAccessedByLayers("run")
                .whereLayer("base").mayOnlyBeAccessedByLayers("models", "run")
                .check(classes);
    }

    @Test
    void noPackageCyclesBelowTheStudio() {
        // the studio's own packages (app..) still have cycles among themselves and with cli (issue 24 removes them,
        // then this rule covers dev.vqclip as a whole)
        JavaClasses belowTheStudio = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/dev/vqclip/app/"))
                .importPackages("dev.vqclip");
        slices().matching("dev.vqclip.(**)").should().beFreeOfCycles().check(belowTheStudio);
    }
}
