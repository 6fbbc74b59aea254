package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.guide.SphericalLoss;
import dev.vqclip.engine.guide.Target;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.vqgan.Vqgan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The differentiable chain of one optimisation step, from a latent leaf to its gradient:
 * <pre>
 * zq = replace_grad(codebook[argmin d], z)  →  decoded = vqgan.decode(zq)  →  u = (decoded + 1)/2
 * image = clamp_with_grad(u, 0, 1)  →  features = embed(image)  →  Σ_prompts |w|·mean(sign(w)·d_sph)  + α·mean(z²)
 * </pre>
 * clamp_with_grad's backward ({@code g · [g·(u − clamp(u)) ≥ 0]}) depends on the incoming gradient, which DJL cannot
 * express as a custom autograd function; so the backward runs in two passes inside one collector: first from the
 * loss to a detached copy of the image, then, with the rule applied, from the image to z. Everything created here
 * belongs to the leaf's manager (the caller's per-step sub-manager).
 */
public final class StepMath {
    /**
     * Runs between the forward pass and the first backward pass; tests set it to collect garbage and overwrite freed
     * memory there, which exposes any tensor the backward pass reads from memory the Java side has already released.
     */
    static volatile Runnable beforeBackward = () -> { };

    private StepMath() {
    }

    /**
     * What one forward/backward produced (arrays belong to the step's manager).
     *
     * @param targetLosses the loss of each target (weighted), in order
     * @param l2Loss α·mean(z²)
     * @param totalLoss the sum
     * @param gradZ d loss / d z
     * @param decoded decoder output
     * @param image the clamped image in [0,1]
     * @param features the embeddings of the image batch (before normalisation)
     * @param gradImage gradient w.r.t. the clamped image
     * @param gradDecoded gradient w.r.t. the decoder output after clamp_with_grad's rule
     */
    public record Result(double[] targetLosses, double l2Loss, double totalLoss, NDArray gradZ, NDArray decoded,
                         NDArray image, NDArray features, NDArray gradImage, NDArray gradDecoded) {
    }

    /** Straight-through quantisation: forward the exact codebook rows, gradient the identity to z. */
    public static NDArray replaceGrad(NDArray forward, NDArray backward) {
        return forward.stopGradient().add(backward.sub(backward.stopGradient()));
    }

    /**
     * Runs forward and backward.
     *
     * @param vqgan the decoder and codebook
     * @param zLeaf the latent (1, C, H, W), requiring gradient, in the step's manager
     * @param embed maps an image batch in [0,1] (1, 3, H, W) to CLIP features (N, D): cutouts, augmentation,
     *     normalisation and the image encoder
     * @param targets the prompts' targets
     * @param l2Weight α
     * @param gc the open gradient collector
     */
    public static Result run(Vqgan vqgan, NDArray zLeaf, UnaryOperator<NDArray> embed, List<Target> targets,
                             double l2Weight, GradientCollector gc) {
        NDArray zq = replaceGrad(vqgan.quantize(zLeaf).zqExact(), zLeaf);
        NDArray decoded = vqgan.decode(zq);
        NDArray u = Tensors.div(decoded.add(1f), 2f);
        NDArray clamped = u.clip(0f, 1f);
        NDArray image = clamped.stopGradient();
        image.setRequiresGradient(true);

        NDArray features = embed.apply(image);
        NDArray a = SphericalLoss.normalize(features);
        double[] losses = new double[targets.size()];
        NDArray guidance = null;
        List<NDArray> parts = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            NDArray l = SphericalLoss.loss(a, targets.get(i));
            parts.add(l);
            guidance = guidance == null ? l : guidance.add(l);
        }
        NDArray gradImage;
        beforeBackward.run();
        if (guidance != null) {
            gc.backward(guidance);
            gradImage = image.getGradient();
        } else {
            gradImage = image.zerosLike();
        }
        for (int i = 0; i < parts.size(); i++) {
            losses[i] = parts.get(i).getFloat();
        }
        // clamp_with_grad: pass the gradient inside [0,1], and outside only where it points back into range
        NDArray keep = gradImage.mul(u.stopGradient().sub(clamped.stopGradient())).gte(0f);
        NDArray gradU = gradImage.mul(keep.toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
        NDArray l2 = Tensors.mul(zLeaf.square().mean(), (float) l2Weight);
        NDArray surrogate = u.mul(gradU.stopGradient()).sum().add(l2);
        gc.backward(surrogate);
        double l2Value = l2.getFloat();
        double total = l2Value;
        for (double l : losses) {
            total += l;
        }
        return new Result(losses, l2Value, total, zLeaf.getGradient(), decoded, image, features, gradImage,
                Tensors.div(gradU, 2f));
    }
}
