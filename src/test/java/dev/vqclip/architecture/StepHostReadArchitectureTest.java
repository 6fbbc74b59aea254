package dev.vqclip.architecture;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A copy from the device to the host makes a GPU finish all queued work first. The classes a step runs through
 * never copy anything to the host: the step's losses and finiteness check are read once, by {@code Run.step}
 * (counted there, see {@code GpuReadyStepTest}). {@code StepMath} is checked through its only read, the lazily read
 * loss vector, in that test.
 */
class StepHostReadArchitectureTest {
    private static final String READS = "get(Float|Double|Long|Int|Boolean|Byte)|to(Float|Double|Long|Int|Boolean|Byte|"
            + "Uint8)Array|toArray|toByteBuffer|getScalar";

    /** The classes a step runs through (with their nested classes and lambdas). */
    private static final String STEP_CLASSES = "dev\\.vqclip\\.engine\\.(augment\\.(CutoutAugmenter|BilinearSampler)"
            + "|guide\\.SphericalLoss|optim\\.Adam|nn\\.(Tensors|GroupNorm|Convs|SpatialAttention|Activations|Resample)"
            + "|vqgan\\.(Decoder|VectorQuantizer|Blocks)|clip\\.(VisionTransformer|ResidualAttentionBlock))(\\$.*)?";

    private static ArchRule noHostReads(String classes) {
        DescribedPredicate<JavaMethodCall> read = new DescribedPredicate<>("a read of an NDArray to the host") {
            @Override
            public boolean test(JavaMethodCall call) {
                return call.getTarget().getName().matches(READS)
                        && call.getTarget().getOwner().isAssignableTo(NDArray.class);
            }
        };
        return noClasses().that().haveNameMatching(classes).should().callMethodWhere(read)
                .because("a read from a GPU waits for all queued work: the step reads once, in Run.step");
    }

    @Test
    void theClassesAStepRunsThroughNeverReadToTheHost() {
        JavaClasses engine = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.vqclip.engine");
        assertThat(engine.stream().filter(c -> c.getName().matches(STEP_CLASSES)).count())
                .as("step classes found").isGreaterThanOrEqualTo(15);
        noHostReads(STEP_CLASSES).check(engine);
    }

    @Test
    void theRuleCatchesARead() {
        JavaClasses offender = new ClassFileImporter().importClasses(Offender.class);
        assertThatThrownBy(() -> noHostReads(".*Offender").check(offender)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("getFloat");
    }

    /** What the rule forbids. */
    static final class Offender {
        static float loss(NDArray x) {
            return x.sum().getFloat();
        }
    }
}
