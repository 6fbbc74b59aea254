package dev.vqclip.models;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The model manager sits below the CLI and the studio: it may use engine.weights (and engine.io to write files),
 * never the UI or other layers. The demo-model trainer ({@code dev.vqclip.training}) trains models, so it may use
 * the engine, but never the UI, the CLI or sessions; the model manager never uses the trainer.
 */
class ModelsLayerTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.vqclip.models", "dev.vqclip.training");

    @Test
    void modelsDependsOnlyOnEngineWeightsAndLibraries() {
        noClasses().that().resideInAPackage("dev.vqclip.models..")
                .and().resideOutsideOfPackage("dev.vqclip.training..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "dev.vqclip.app..", "dev.vqclip.cli..",
                        "dev.vqclip.session..", "dev.vqclip.engine.vqgan..", "dev.vqclip.engine.clip..",
                        "dev.vqclip.engine.run..", "dev.vqclip.training..", "ai.djl..")
                .check(classes);
    }

    @Test
    void demoTrainerStaysBelowTheUi() {
        noClasses().that().resideInAPackage("dev.vqclip.training..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "dev.vqclip.app..", "dev.vqclip.cli..",
                        "dev.vqclip.session..")
                .check(classes);
    }
}
