package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
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
     * What one forward/backward produced (arrays belong to the step's manager). The losses stay on the device as one
     * vector ({@link #lossVector}) until something asks for them as numbers: {@link #targetLosses}, {@link #l2Loss}
     * and {@link #totalLoss} copy that vector to the host once, on their first call ({@link Run#step} reads it
     * together with its finiteness check instead).
     */
    public static final class Result {
        private final NDArray lossVector;
        private final NDArray gradZ;
        private final NDArray decoded;
        private final NDArray image;
        private final NDArray features;
        private final NDArray gradImage;
        private final NDArray gradDecoded;
        private double[] read;

        Result(NDArray lossVector, NDArray gradZ, NDArray decoded, NDArray image, NDArray features, NDArray gradImage,
               NDArray gradDecoded) {
            this.lossVector = lossVector;
            this.gradZ = gradZ;
            this.decoded = decoded;
            this.image = image;
            this.features = features;
            this.gradImage = gradImage;
            this.gradDecoded = gradDecoded;
        }

        /** @return float32 (T + 1): the loss of each of the T targets (weighted), in order, then α·mean(z²) */
        public NDArray lossVector() {
            return lossVector;
        }

        /** @return the loss of each target (weighted), in order */
        public double[] targetLosses() {
            double[] all = values();
            return java.util.Arrays.copyOf(all, all.length - 1);
        }

        /** @return α·mean(z²) */
        public double l2Loss() {
            double[] all = values();
            return all[all.length - 1];
        }

        /** @return the sum of the targets' losses and α·mean(z²) */
        public double totalLoss() {
            return total(values());
        }

        /** @return d loss / d z */
        public NDArray gradZ() {
            return gradZ;
        }

        /** @return the decoder output */
        public NDArray decoded() {
            return decoded;
        }

        /** @return the clamped image in [0,1] */
        public NDArray image() {
            return image;
        }

        /** @return the embeddings of the image batch (before normalisation) */
        public NDArray features() {
            return features;
        }

        /** @return the gradient w.r.t. the clamped image */
        public NDArray gradImage() {
            return gradImage;
        }

        /** @return the gradient w.r.t. the decoder output after clamp_with_grad's rule */
        public NDArray gradDecoded() {
            return gradDecoded;
        }

        private double[] values() {
            if (read == null) {
                read = widen(lossVector.toFloatArray());
            }
            return read;
        }
    }

    /** @return the floats as doubles */
    static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** @return the l2 term (the last value) plus the targets' losses, summed in the order the step always used */
    static double total(double[] lossesThenL2) {
        double total = lossesThenL2[lossesThenL2.length - 1];
        for (int i = 0; i < lossesThenL2.length - 1; i++) {
            total += lossesThenL2[i];
        }
        return total;
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
        return run(vqgan, zLeaf, List.of(new Guidance(embed, targets)), l2Weight, gc);
    }

    /**
     * One CLIP's part of the loss: how it embeds the image and the targets it compares with (their weights already
     * multiplied by the CLIP's weight in an ensemble).
     *
     * @param embed image batch in [0,1] to this CLIP's features (N, D)
     * @param targets the prompts' targets embedded by this CLIP, in prompt order
     */
    public record Guidance(UnaryOperator<NDArray> embed, List<Target> targets) {
    }

    /**
     * The step with an ensemble of CLIPs: the guidance loss is the sum of every CLIP's losses; the loss of prompt i
     * reported in {@link Result#targetLosses()} is the sum of its losses over the CLIPs. With one guide this is
     * exactly {@link #run(Vqgan, NDArray, UnaryOperator, List, double, GradientCollector)}.
     *
     * @param guides one or more CLIPs; {@link Result#features()} holds the first one's features
     */
    public static Result run(Vqgan vqgan, NDArray zLeaf, List<Guidance> guides, double l2Weight,
                             GradientCollector gc) {
        return run(vqgan, zLeaf, guides, l2Weight, gc, StepStages.NONE);
    }

    /** The step, with the end of each stage marked in {@code stages} (the guides mark their cutouts). */
    static Result run(Vqgan vqgan, NDArray zLeaf, List<Guidance> guides, double l2Weight, GradientCollector gc,
                      StepStages stages) {
        NDArray zq = replaceGrad(vqgan.quantize(zLeaf).zqExact(), zLeaf);
        NDArray decoded = vqgan.decode(zq);
        stages.mark(StepStages.Stage.DECODE);
        NDArray u = Tensors.div(Tensors.add(decoded, 1f), 2f);
        NDArray clamped = u.clip(0f, 1f);
        NDArray image = clamped.stopGradient();
        image.setRequiresGradient(true);

        NDArray features = null;
        NDArray guidance = null;
        List<NDArray> parts = new ArrayList<>();
        for (Guidance g : guides) {
            NDArray f = g.embed().apply(image);
            features = features == null ? f : features;
            NDArray a = SphericalLoss.normalize(f);
            for (int i = 0; i < g.targets().size(); i++) {
                NDArray l = SphericalLoss.loss(a, g.targets().get(i));
                if (i < parts.size()) {
                    parts.set(i, parts.get(i).add(l));
                } else {
                    parts.add(l);
                }
                guidance = guidance == null ? l : guidance.add(l);
            }
            // per guide, so that an ensemble's next cutouts start a new interval
            stages.mark(StepStages.Stage.CLIP);
        }
        NDArray gradImage;
        beforeBackward.run();
        if (guidance != null) {
            gc.backward(guidance);
            gradImage = image.getGradient();
        } else {
            gradImage = image.zerosLike();
        }
        stages.mark(StepStages.Stage.CLIP_BACKWARD);
        // clamp_with_grad: pass the gradient inside [0,1], and outside only where it points back into range
        NDArray keep = Tensors.gte(gradImage.mul(u.stopGradient().sub(clamped.stopGradient())), 0f);
        NDArray gradU = gradImage.mul(keep.toType(DataType.FLOAT32, false));
        NDArray l2 = Tensors.mul(zLeaf.square().mean(), (float) l2Weight);
        NDArray surrogate = u.mul(gradU.stopGradient()).sum().add(l2);
        gc.backward(surrogate);
        stages.mark(StepStages.Stage.DECODE_BACKWARD);
        parts.add(l2);
        NDList scalars = new NDList(parts.size());
        for (NDArray p : parts) {
            scalars.add(p.stopGradient().toType(DataType.FLOAT32, false).reshape(1));
        }
        NDArray lossVector = NDArrays.concat(scalars, 0);
        return new Result(lossVector, zLeaf.getGradient(), decoded, image, features, gradImage,
                Tensors.div(gradU, 2f));
    }
}
