package dev.vqclip.engine.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightFiles;
import dev.vqclip.testing.Reference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parity with OpenAI's CLIP code on the tiny reference model (README section B), from both the TorchScript archive
 * (fp16 weights) and the torch.save state dict. Tolerance 1e-4 absolute.
 */
class ClipReferenceTest {
    static final double TOL = 1e-4;

    static StateDict weights(String file) {
        return WeightFiles.load(Reference.file(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip_tiny_jit.pt", "clip_tiny_state_dict.pt"})
    void imageAndTextFeaturesMatchOpenAi(String file) {
        try (Clip clip = Clip.load(Reference.file(file), Device.cpu());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertThat(clip.config()).isEqualTo(new ClipConfig(16, 32, 2, 128, 2, 8, 77, 49408, 64, 1, 2));
            assertThat((double) clip.logitScaleLog()).isCloseTo(2.6592600, org.assertj.core.data.Offset.offset(1e-6));

            NDArray pixels01 = m.create(Reference.floats("clip/image_pixels.npy"), new Shape(2, 3, 32, 32));
            NDArray image = clip.normalize(pixels01);
            Reference.assertClose(file + " normalize", Reference.floats("clip/image.npy"), image.toFloatArray(), 1e-6);
            NDArray img = clip.encodeImage(image);
            Reference.assertClose(file + " image_features", Reference.floats("clip/image_features.npy"),
                    img.toFloatArray(), TOL);
            Reference.assertClose(file + " image_features_normed", Reference.floats("clip/image_features_normed.npy"),
                    img.normalize(2, -1, 1e-12).toFloatArray(), TOL);

            long[][] tokens = tokens();
            NDArray txt = clip.encodeText(m, tokens);
            Reference.assertClose(file + " text_features", Reference.floats("clip/text_features.npy"),
                    txt.toFloatArray(), TOL);
            Reference.assertClose(file + " text_features_normed", Reference.floats("clip/text_features_normed.npy"),
                    txt.normalize(2, -1, 1e-12).toFloatArray(), TOL);

            NDArray logits = clip.logitsPerImage(img, txt);
            Reference.assertClose(file + " logits_per_image", Reference.floats("clip/logits_per_image.npy"),
                    logits.toFloatArray(), TOL);
            Reference.assertClose(file + " logits_per_text", Reference.floats("clip/logits_per_text.npy"),
                    logits.transpose().toFloatArray(), TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip_tiny_jit.pt", "clip_tiny_state_dict.pt"})
    void intermediatesMatchOpenAi(String file) {
        try (Clip clip = Clip.fromStateDict(weights(file), Device.cpu());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            VisionTransformer v = clip.vision();
            NDArray x = v.embed(m.create(Reference.floats("clip/image.npy"), new Shape(2, 3, 32, 32)));
            Reference.assertClose(file + " inter_vision_ln_pre", Reference.floats("clip/inter_vision_ln_pre.npy"),
                    x.toFloatArray(), TOL);
            x = v.block(0, x);
            Reference.assertClose(file + " inter_vision_block0", Reference.floats("clip/inter_vision_block0.npy"),
                    x.toFloatArray(), TOL);
            for (int i = 1; i < v.layers(); i++) {
                x = v.block(i, x);
            }
            Reference.assertClose(file + " inter_vision_ln_post", Reference.floats("clip/inter_vision_ln_post.npy"),
                    v.pool(x).toFloatArray(), TOL);

            TextTransformer t = clip.text();
            long[][] tokens = tokens();
            NDArray ids = m.create(Reference.longs("clip/text_tokens.npy"), new Shape(4, 77));
            NDArray y = t.block(0, t.embed(ids));
            Reference.assertClose(file + " inter_text_block0", Reference.floats("clip/inter_text_block0.npy"),
                    y.toFloatArray(), TOL);
            for (int i = 1; i < t.layers(); i++) {
                y = t.block(i, y);
            }
            NDArray fin = t.lnFinal(y);
            Reference.assertClose(file + " inter_text_ln_final", Reference.floats("clip/inter_text_ln_final.npy"),
                    fin.toFloatArray(), TOL);
            Reference.assertClose(file + " text_features via stages", Reference.floats("clip/text_features.npy"),
                    t.poolAndProject(fin, tokens).toFloatArray(), TOL);
        }
    }

    /**
     * One VQGAN-CLIP step's CLIP part (README section D): from the chain's image, the image features, the spherical
     * loss to the prompt and its gradient with respect to the image must match PyTorch's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"step0", "step1"})
    void sphericalLossGradientMatchesTheReferenceChain(String step) {
        try (Clip clip = Clip.load(Reference.file("clip_tiny_jit.pt"), Device.cpu());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            long[] tok = Reference.longs("chain/text_tokens.npy");
            NDArray text = clip.encodeText(m, new long[][] {tok});
            Reference.assertClose("chain text_features", Reference.floats("chain/text_features.npy"),
                    text.toFloatArray(), TOL);
            NDArray b = text.normalize(2, -1, 1e-12);

            NDArray image = m.create(Reference.floats("chain/" + step + "_image.npy"), new Shape(1, 3, 32, 32));
            image.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray features = clip.encodeImage(clip.normalize(image));
                NDArray a = features.normalize(2, -1, 1e-12);
                NDArray d = a.sub(b);
                NDArray loss = d.mul(d).sum(new int[] {-1}).sqrt().div(2).asin().square().mul(2).mean();
                Reference.assertClose("chain " + step + "_image_features",
                        Reference.floats("chain/" + step + "_image_features.npy"), features.toFloatArray(), TOL);
                Reference.assertClose("chain " + step + "_loss_spherical",
                        Reference.floats("chain/" + step + "_loss_spherical.npy"), loss.toFloatArray(), TOL);
                gc.backward(loss);
            }
            Reference.assertClose("chain " + step + "_grad_image", Reference.floats("chain/" + step + "_grad_image.npy"),
                    image.getGradient().toFloatArray(), TOL);
        }
    }

    static long[][] tokens() {
        long[] flat = Reference.longs("clip/text_tokens.npy");
        long[][] rows = new long[flat.length / 77][77];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(flat, i * 77, rows[i], 0, 77);
        }
        return rows;
    }
}
