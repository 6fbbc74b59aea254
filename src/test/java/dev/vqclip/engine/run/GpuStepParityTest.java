package dev.vqclip.engine.run;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.augment.CutoutAugmenter;
import dev.vqclip.engine.augment.CutoutPlan;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.testing.GpuTests;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One optimisation step on the CPU and on the GPU from the same latent, the same prompts and the same cutout plan
 * (every augmentation on except the noise, which each device draws its own way): the losses agree within a relative
 * 1e-4 and the gradient of z within 1e-3 of its largest magnitude, the gradient's direction within a cosine of
 * 0.9999. Float32 on both, TF32 off ({@code NVIDIA_TF32_OVERRIDE=0}). Skipped without a GPU, failed with
 * {@code -Dvqclip.requireGpu=true} ({@code packaging/gpu-check.sh}).
 */
class GpuStepParityTest {
    static final double LOSS_RELATIVE = 1e-4;
    static final double GRADIENT_OF_MAX = 1e-3;

    private record Step(double[] losses, float[] grad) {
    }

    @Test
    void oneStepOnTheGpuMatchesTheCpu() {
        GpuTests.assumeGpu();
        Reference.dir();
        GenerationRequest r = GenerationRequest.defaults(List.of(new Prompt("a red apple"), new Prompt("rain", -0.5)))
                .withSize(64, 48).withCutouts(8).withSeed(11);
        Augmentations noNoise = new Augmentations(true, true, true, true, false, 0);
        Step cpu;
        Step gpu;
        try (RunModels onCpu = TinyModels.load(Device.cpu()); RunModels onGpu = TinyModels.load(Device.gpu())) {
            float[] z;
            CutoutPlan plan;
            try (Run run = Run.start(onCpu, r)) {
                z = run.snapshot().z();
                int f = onCpu.vqgan().factor();
                CutoutAugmenter aug = new CutoutAugmenter(onCpu.clip().imageResolution(), r.cutouts(), r.cutPow(),
                        noNoise);
                plan = aug.plan(run.latentGrid().rows() * f, run.latentGrid().cols() * f, Run.randomFor(r.seed(), 0));
                cpu = step(run, onCpu, z, plan);
            }
            try (Run run = Run.start(onGpu, r)) {
                gpu = step(run, onGpu, z, plan);
            }
        }
        System.out.printf("CPU losses %s, GPU losses %s%n", java.util.Arrays.toString(cpu.losses),
                java.util.Arrays.toString(gpu.losses));
        for (int i = 0; i < cpu.losses.length; i++) {
            assertThat(Math.abs(gpu.losses[i] - cpu.losses[i])).as("loss %d", i)
                    .isLessThanOrEqualTo(LOSS_RELATIVE * Math.max(1e-6, Math.abs(cpu.losses[i])));
        }
        double max = 0;
        double diff = 0;
        double dot = 0;
        double nc = 0;
        double ng = 0;
        for (int i = 0; i < cpu.grad.length; i++) {
            max = Math.max(max, Math.abs(cpu.grad[i]));
            diff = Math.max(diff, Math.abs(cpu.grad[i] - gpu.grad[i]));
            dot += (double) cpu.grad[i] * gpu.grad[i];
            nc += (double) cpu.grad[i] * cpu.grad[i];
            ng += (double) gpu.grad[i] * gpu.grad[i];
        }
        double cosine = dot / Math.sqrt(nc * ng);
        System.out.printf("gradient of z: largest |CPU| %.4g, largest |GPU − CPU| %.4g (%.3g of it), cosine %.8f%n",
                max, diff, diff / max, cosine);
        assertThat(max).as("the gradient is not zero").isPositive();
        assertThat(diff).isLessThanOrEqualTo(GRADIENT_OF_MAX * max);
        assertThat(cosine).isGreaterThan(0.9999);
    }

    private static Step step(Run run, RunModels models, float[] z, CutoutPlan plan) {
        try (NDManager sm = run.manager().newSubManager()) {
            NDArray leaf = Tensors.fromHost(sm, z, new Shape(run.snapshot().shape()));
            leaf.setRequiresGradient(true);
            var clip = models.clip();
            try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                StepMath.Result res = StepMath.run(models.vqgan(), leaf,
                        img -> clip.encodeImage(clip.normalize(CutoutAugmenter.apply(img, plan))), run.targetsAt(0),
                        run.request().l2Weight(), gc);
                double[] losses = java.util.Arrays.copyOf(res.targetLosses(), res.targetLosses().length + 1);
                losses[losses.length - 1] = res.l2Loss();
                return new Step(losses, res.gradZ().toFloatArray());
            }
        }
    }
}
