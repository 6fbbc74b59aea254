package dev.vqclip.engine.run;

import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.testing.FreedMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A step must not depend on when the garbage collector runs. DJL's {@code manager.create(float[])} hands PyTorch a
 * Java direct buffer without copying; the buffer lives as long as the Java wrapper, so a tensor the autograd graph
 * saved from such an array reads freed memory once the wrapper is closed and collected (and {@code x.mul(2f)} makes
 * such an array for the 2). Here every step collects
 * garbage between forward and backward and fills the freed native memory with NaN bytes; the result must be
 * bit-identical to the same steps without that.
 */
class RunGarbageCollectionTest {
    @RegisterExtension
    static final TinyModels TINY = new TinyModels();

    private final FreedMemory freed = new FreedMemory();

    @AfterEach
    void restoreHook() {
        StepMath.beforeBackward = () -> { };
        freed.release();
    }

    @Test
    void collectingGarbageBeforeBackwardChangesNothingWithAugmentations() {
        assertGcIndependent(request().withAugmentations(Augmentations.defaults()));
    }

    @Test
    void collectingGarbageBeforeBackwardChangesNothingWithoutAugmentations() {
        assertGcIndependent(request().withAugmentations(Augmentations.none()).withCutouts(1));
    }

    private static GenerationRequest request() {
        return GenerationRequest.defaults(List.of(new Prompt("a red apple"), new Prompt("blurry", -0.5)))
                .withSize(64, 48).withCutouts(4).withSeed(11);
    }

    private void assertGcIndependent(GenerationRequest r) {
        float[] quiet = run(r);
        StepMath.beforeBackward = freed::collectAndOverwrite;
        float[] collected = run(r);
        int differing = 0;
        for (int i = 0; i < quiet.length; i++) {
            if (Float.floatToRawIntBits(quiet[i]) != Float.floatToRawIntBits(collected[i])) {
                differing++;
            }
        }
        assertThat(differing).as("values of z (of %d) that differ after 4 steps with a GC before each backward",
                quiet.length).isZero();
    }

    private static float[] run(GenerationRequest r) {
        try (Run run = Run.start(TINY.models(), r)) {
            for (int i = 0; i < 4; i++) {
                run.step(false);
            }
            return run.snapshot().z();
        }
    }
}
