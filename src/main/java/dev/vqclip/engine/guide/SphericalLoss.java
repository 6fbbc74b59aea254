package dev.vqclip.engine.guide;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.nn.Tensors;

/**
 * The VQGAN-CLIP guidance loss: the squared spherical distance {@code 2·asin(‖a − b‖/2)²} between normalised image
 * embeddings {@code a} (one row per cutout) and a target {@code b}, signed and weighted as the common implementations
 * do: {@code |w| · mean(d·sign(w))}, where the gradient only flows through {@code max(d·sign(w), stop)} so a prompt
 * stops pulling once it is closer than {@code stop}.
 */
public final class SphericalLoss {
    private SphericalLoss() {
    }

    /**
     * @param a normalised image embeddings (N, D)
     * @param b normalised target embedding (1, D)
     * @return the distance per row, shape (N)
     */
    public static NDArray distance(NDArray a, NDArray b) {
        NDArray half = Tensors.div(a.sub(b).norm(new int[] {1}), 2);
        // asin is undefined above 1; unit vectors are at most 2 apart, rounding can exceed it by an ulp
        return Tensors.mul(half.clip(0f, 1f).asin().square(), 2);
    }

    /**
     * @param a normalised image embeddings (N, D)
     * @param target the target
     * @return the scalar loss of this target, differentiable w.r.t. {@code a}
     */
    public static NDArray loss(NDArray a, Target target) {
        NDArray d = distance(a, target.embedding());
        double w = target.weight();
        NDArray signed = w < 0 ? d.neg() : d;
        NDArray forward = signed;
        if (target.stop() != Double.NEGATIVE_INFINITY) {
            NDArray stopped = Tensors.maximum(signed, (float) target.stop());
            // forward value of `signed`, gradient of `stopped`
            forward = stopped.add(signed.sub(stopped).stopGradient());
        }
        return Tensors.mul(forward.mean(), (float) Math.abs(w));
    }

    /** @return rows divided by their L2 norm (eps 1e-12, as torch.nn.functional.normalize) */
    public static NDArray normalize(NDArray x) {
        NDArray n = Tensors.maximum(x.norm(new int[] {1}, true), 1e-12f);
        return x.div(n);
    }
}
