package dev.vqclip.engine.optim;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.nn.Tensors;

/**
 * Adam exactly as PyTorch computes it (no weight decay, no amsgrad), updating z and the moments in place:
 * {@code m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; z −= (lr/(1−β1^t))·m/(sqrt(v)/sqrt(1−β2^t) + eps)}.
 * A mask multiplies the update, so cells where it is 0 keep z bit-identical.
 */
public final class Adam {
    private final double eps;

    public Adam(double eps) {
        this.eps = eps;
    }

    public Adam() {
        this(1e-8);
    }

    /**
     * One step. Temporaries belong to the gradient's manager (the step's); z, m and v are modified in place.
     *
     * @param t the step number, starting at 1
     * @param mask null, or an array broadcastable to z (1 where z may change)
     */
    public void step(NDArray z, NDArray m, NDArray v, NDArray grad, int t, double lr, double beta1, double beta2,
                     NDArray mask) {
        Tensors.muli(m, (float) beta1).addi(Tensors.mul(grad, (float) (1 - beta1)));
        Tensors.muli(v, (float) beta2).addi(Tensors.mul(grad.square(), (float) (1 - beta2)));
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        NDArray denom = Tensors.add(Tensors.div(v.sqrt(), (float) Math.sqrt(bc2)), (float) eps);
        NDArray update = Tensors.mul(m.div(denom), (float) (lr / bc1));
        if (mask != null) {
            update = update.mul(mask);
        }
        z.subi(update);
    }
}
