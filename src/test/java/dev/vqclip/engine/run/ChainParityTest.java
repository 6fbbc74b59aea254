package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.SphericalLoss;
import dev.vqclip.engine.guide.Target;
import dev.vqclip.engine.optim.Adam;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.vqclip.testing.Reference.assertClose;
import static dev.vqclip.testing.Reference.floats;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The full differentiable chain (reference section D): quantise, decode, clamp_with_grad, CLIP, spherical loss,
 * L2, backward, Adam — two steps, so the moments are exercised. Tolerance 1e-4 absolute (2e-4 on the second Adam step,
 * as the reference README allows across BLAS builds).
 */
class ChainParityTest {
    @RegisterExtension
    static final TinyModels TINY = new TinyModels();

    @Test
    void tokensAndTextFeaturesMatch() {
        long[] tokens = TINY.models().tokenizer().tokenize("a red apple", 77, true);
        assertThat(tokens).containsExactly(Reference.longs("chain/text_tokens.npy"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = TINY.models().clip().encodeText(m, new long[][] {tokens});
            assertClose("chain text_features", floats("chain/text_features.npy"), f.toFloatArray(), 1e-4);
        }
    }

    @Test
    void stepMathAndAdamMatchTheReferenceChain() {
        RunModels models = TINY.models();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(floats("chain/z0.npy"), new Shape(1, 8, 8, 8));
            NDArray adamM = m.zeros(z.getShape());
            NDArray adamV = m.zeros(z.getShape());
            NDArray text = SphericalLoss.normalize(m.create(floats("chain/text_features.npy"), new Shape(1, 16)));
            List<Target> targets = List.of(new Target("a red apple", text, 1.0, Double.NEGATIVE_INFINITY));
            for (int k = 0; k < 2; k++) {
                String p = "chain/step" + k + "_";
                assertClose(p + "z", floats(p + "z.npy"), z.toFloatArray(), k == 0 ? 0 : 1e-4);
                try (NDManager sm = m.newSubManager()) {
                    sm.tempAttachAll(z, adamM, adamV);
                    NDArray leaf = z.duplicate();
                    leaf.setRequiresGradient(true);
                    StepMath.Result r;
                    try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                        r = StepMath.run(models.vqgan(), leaf,
                                img -> models.clip().encodeImage(models.clip().normalize(img)), targets, 0.1, gc);
                    }
                    assertThat(models.vqgan().quantize(z).indices().toLongArray())
                            .containsExactly(Reference.longs(p + "indices.npy"));
                    assertClose(p + "decoded", floats(p + "decoded.npy"), r.decoded().toFloatArray(), 1e-4);
                    assertClose(p + "image", floats(p + "image.npy"), r.image().toFloatArray(), 1e-4);
                    assertClose(p + "image_features", floats(p + "image_features.npy"), r.features().toFloatArray(), 1e-4);
                    assertClose(p + "loss_spherical", floats(p + "loss_spherical.npy"),
                            new float[] {(float) r.targetLosses()[0]}, 1e-4);
                    assertClose(p + "loss_l2", floats(p + "loss_l2.npy"), new float[] {(float) r.l2Loss()}, 1e-4);
                    assertClose(p + "loss_total", floats(p + "loss_total.npy"), new float[] {(float) r.totalLoss()}, 1e-4);
                    assertClose(p + "grad_image", floats(p + "grad_image.npy"), r.gradImage().toFloatArray(), 1e-4);
                    assertClose(p + "grad_decoded", floats(p + "grad_decoded.npy"), r.gradDecoded().toFloatArray(), 1e-4);
                    assertClose(p + "grad_z", floats(p + "grad_z.npy"), r.gradZ().toFloatArray(), 1e-4);
                    new Adam().step(z, adamM, adamV, r.gradZ(), k + 1, 0.15, 0.9, 0.999, null);
                }
                assertClose(p + "adam_exp_avg", floats(p + "adam_exp_avg.npy"), adamM.toFloatArray(), 1e-4);
                assertClose(p + "adam_exp_avg_sq", floats(p + "adam_exp_avg_sq.npy"), adamV.toFloatArray(), 1e-4);
                assertClose(p + "z_after", floats(p + "z_after.npy"), z.toFloatArray(), k == 0 ? 1e-4 : 2e-4);
            }
        }
    }

    @Test
    void theRunItselfReproducesTheChain() {
        GenerationRequest r = GenerationRequest.defaults(List.of(new Prompt("a red apple")))
                .withSize(32, 32).withCutouts(1).withAugmentations(Augmentations.none()).withRegularisation(0.1, 0.0);
        try (Run run = Run.start(TINY.models(), r)) {
            run.setClampToCodebook(false);
            float[] z0 = floats("chain/z0.npy");
            RunSnapshot s = run.snapshot();
            run.restore(new RunSnapshot(s.request(), 0, s.shape(), z0, new float[z0.length], new float[z0.length],
                    null, null));
            StepEvent e0 = run.step(false);
            assertClose("run step0 loss_total", floats("chain/step0_loss_total.npy"), new float[] {(float) e0.totalLoss()}, 1e-4);
            assertClose("run step0 z_after", floats("chain/step0_z_after.npy"), run.snapshot().z(), 1e-4);
            run.step(false);
            assertClose("run step1 z_after", floats("chain/step1_z_after.npy"), run.snapshot().z(), 2e-4);
        }
    }
}
