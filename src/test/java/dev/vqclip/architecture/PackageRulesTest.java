package dev.vqclip.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The engine's own layers, no package cycles anywhere (the studio's packages included), and the studio apart from
 * the command line: each package can be read, tested and changed from the bottom up.
 */
class PackageRulesTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = ProductionClasses.get();
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
    void noPackageCycles() {
        slices().matching("dev.vqclip.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theStudioDoesNotUseTheCommandLine() {
        packageDoesNotUse("dev.vqclip.app..", "dev.vqclip.cli..",
                "the studio and the CLI both sit on the engine; what they share belongs below both");
    }

    @Test
    void theModelManagerDoesNotUseTheRunningEngine() {
        packageDoesNotUse("dev.vqclip.models..", "dev.vqclip.engine.run..",
                "finding, downloading and checking model files needs no optimisation loop; what both need "
                        + "(images, readers) lives below engine.run");
    }

    @Test
    void onlyTheRunFeatureTalksToTheEngineThread() {
        noClasses().that().resideOutsideOfPackage("dev.vqclip.app.run..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.vqclip.app.run.EngineWorker")
                .because("RunViewModel keeps its EngineWorker to itself: other features use its commands, and file"
                        + " work goes through the TaskExecutor")
                .check(classes);
    }

    private static void packageDoesNotUse(String user, String used, String because) {
        noClasses().that().resideInAPackage(user)
                .should().dependOnClassesThat().resideInAPackage(used)
                .because(because)
                .check(classes);
    }
}
