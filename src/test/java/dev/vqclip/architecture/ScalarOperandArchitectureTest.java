package dev.vqclip.architecture;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import dev.vqclip.engine.nn.Tensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DJL's {@code NDArray.mul(Number)} (and div, pow, maximum, minimum) wraps the number in a Java direct buffer that is
 * freed after the call, while PyTorch's backward reads it again: gradients then depend on when the garbage collector
 * ran. Production code uses {@link Tensors#mul} and friends; this test keeps it that way.
 */
class ScalarOperandArchitectureTest {
    private static final String[] OPS = {"mul", "div", "pow", "maximum", "minimum", "mod"};

    static JavaClasses production;

    @BeforeAll
    static void load() {
        production = ProductionClasses.get();
    }

    private static ArchRule noNumberOperands() {
        var rule = noClasses().should().callMethod(NDArray.class, OPS[0], Number.class);
        for (int i = 1; i < OPS.length; i++) {
            rule = rule.orShould().callMethod(NDArray.class, OPS[i], Number.class);
        }
        return rule.because("the backward pass of these operations reads a scalar DJL has already let the garbage "
                + "collector free; use dev.vqclip.engine.nn.Tensors.mul/div/pow/maximum/minimum");
    }

    @Test
    void productionCodeNeverPassesANumberToADifferentiableBinaryOperation() {
        noNumberOperands().check(production);
    }

    @Test
    void theRuleCatchesAViolation() {
        JavaClasses offender = new ClassFileImporter().importClasses(Offender.class);
        assertThatThrownBy(() -> noNumberOperands().check(offender)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("mul");
    }

    /** What the rule forbids. */
    static final class Offender {
        static NDArray halve(NDArray x) {
            return x.mul(0.5f);
        }
    }
}
