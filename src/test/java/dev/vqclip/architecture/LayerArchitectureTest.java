package dev.vqclip.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The engine, session, models and CLI layers never use JavaFX, so they run headless and in the CLI. */
class LayerArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = ProductionClasses.get();
    }

    @Test
    void nothingBelowTheAppDependsOnJavaFx() {
        ArchRule rule = noClasses().that().resideInAnyPackage("dev.vqclip.engine..", "dev.vqclip.session..",
                        "dev.vqclip.models..", "dev.vqclip.training..", "dev.vqclip.media..", "dev.vqclip.cli..")
                .and().doNotHaveFullyQualifiedName("dev.vqclip.cli.StudioCommand")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "org.kordamp..",
                        "atlantafx..")
                .because("the engine, sessions, models and the CLI must run without the JavaFX toolkit");
        rule.check(classes);
    }

    @Test
    void engineDoesNotDependOnTheAppOrSession() {
        noClasses().that().resideInAPackage("dev.vqclip.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vqclip.app..", "dev.vqclip.session..",
                        "dev.vqclip.cli..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void sessionDoesNotDependOnTheApp() {
        noClasses().that().resideInAPackage("dev.vqclip.session..")
                .should().dependOnClassesThat().resideInAPackage("dev.vqclip.app..")
                .check(classes);
    }

    @Test
    void theRuleCatchesAViolation() {
        // guard against a rule that passes vacuously: the app itself does use JavaFX
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> noClasses().that()
                .resideInAPackage("dev.vqclip.app..").should().dependOnClassesThat()
                .resideInAPackage("javafx..").check(classes)).isInstanceOf(AssertionError.class);
    }
}
