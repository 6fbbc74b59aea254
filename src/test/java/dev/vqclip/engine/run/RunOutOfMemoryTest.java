package dev.vqclip.engine.run;

import ai.djl.engine.EngineException;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.testing.ChildJvm;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An out-of-memory error mid-run pauses the run with z, Adam's moments and the step counter intact. */
class RunOutOfMemoryTest {
    @RegisterExtension
    static final TinyModels TINY = new TinyModels();

    @AfterEach
    void resetHook() {
        Run.updateHook = () -> { };
    }

    private static GenerationRequest request() {
        return GenerationRequest.defaults(PromptParser.parse("a red apple")).withSize(48, 32).withCutouts(2)
                .withSeed(5);
    }

    /**
     * A real allocation failure: a child process lowers its own address-space limit to what it uses after two steps,
     * so libtorch's next large allocation fails inside the third step.
     */
    @Test
    void aRealAllocationFailurePausesTheRunWithZIntact() throws Exception {
        try (ChildJvm child = ChildJvm.start(OutOfMemoryProbe.class,
                List.of("-D" + Reference.LOCATION + "=" + Reference.dir()), List.of("128", "0"), null)) {
            String before = child.await("before-z ", 600_000);
            String oom = child.await("o", 600_000);
            String after = child.await("after-z ", 60_000);
            assertThat(oom).as(child.output()).startsWith("oom step 3 ran out of memory on the CPU")
                    .containsPattern("DefaultCPUAllocator: (can't allocate memory|not enough memory)")
                    .contains("the run is paused at step 2 with its state intact").contains("lower the");
            assertThat(after.substring("after-z ".length())).isEqualTo(before.substring("before-z ".length()))
                    .endsWith("step 2");
            assertThat(child.await("same-state ", 60_000)).isEqualTo("same-state true");
            assertThat(child.await("step-count ", 60_000)).isEqualTo("step-count 2");
            assertThat(child.await("resumed-step ", 600_000)).isEqualTo("resumed-step 3");
        }
    }

    /** A failure after Adam already changed z in place: the step's copies put z, m and v back. */
    @Test
    void aFailureHalfWayThroughTheUpdateKeepsNothingOfTheStep() {
        float[] expected;
        try (Run straight = Run.start(TINY.models(), request())) {
            for (int i = 0; i < 3; i++) {
                straight.step(false);
            }
            expected = straight.snapshot().z();
        }
        try (Run run = Run.start(TINY.models(), request())) {
            run.step(false);
            run.step(false);
            RunSnapshot before = run.snapshot();
            Run.updateHook = () -> {
                throw new EngineException("[enforce fail at alloc_cpu.cpp:119] err == 0. DefaultCPUAllocator: can't "
                        + "allocate memory: you tried to allocate 67108864 bytes. Error code 12");
            };
            assertThatThrownBy(() -> run.step(false)).isInstanceOf(RunOutOfMemoryException.class)
                    .hasMessageStartingWith("step 3 ran out of memory on the CPU")
                    .hasMessageContaining("paused at step 2").hasMessageContaining("lower the");
            RunSnapshot after = run.snapshot();
            assertThat(run.stepCount()).isEqualTo(2);
            assertThat(after.z()).isEqualTo(before.z());
            assertThat(after.adamM()).isEqualTo(before.adamM());
            assertThat(after.adamV()).isEqualTo(before.adamV());
            Run.updateHook = () -> { };
            assertThat(run.step(false).step()).isEqualTo(3);
            assertThat(run.snapshot().z()).isEqualTo(expected);
        }
    }

    @Test
    void otherEngineErrorsPassUnchanged() {
        try (Run run = Run.start(TINY.models(), request())) {
            Run.updateHook = () -> {
                throw new EngineException("shape mismatch");
            };
            assertThatThrownBy(() -> run.step(false)).isExactlyInstanceOf(EngineException.class);
            assertThat(run.stepCount()).isZero();
        }
    }

    @Test
    void recognisesTheAllocatorsMessages() {
        assertThat(RunOutOfMemoryException.isOutOfMemory(new EngineException(
                "DefaultCPUAllocator: not enough memory: you tried to allocate 1 bytes"))).isTrue();
        assertThat(RunOutOfMemoryException.isOutOfMemory(new RuntimeException("wrapped", new EngineException(
                "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)")))).isTrue();
        assertThat(RunOutOfMemoryException.isOutOfMemory(new EngineException("CUDA error: out of memory"))).isTrue();
        assertThat(RunOutOfMemoryException.isOutOfMemory(new EngineException("memory format mismatch"))).isFalse();
    }
}
