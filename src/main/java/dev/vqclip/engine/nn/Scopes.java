package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.function.UnaryOperator;

/**
 * Runs a block of tensor operations in a temporary sub-manager so that its intermediates are freed as soon as the
 * block returns. Only the block's result survives; it is handed to the manager that owned the input.
 *
 * <p>Freeing intermediates early is safe under autograd: the PyTorch graph keeps its own references to the tensors
 * it saved for the backward pass, and only the Java handles are released here.
 */
public final class Scopes {
    private Scopes() {
    }

    /**
     * @param x the input; temporarily moved into a sub-manager and returned to its own manager afterwards
     * @param block operations on {@code x}; must return a new array (not {@code x} itself)
     * @return the block's result, owned by {@code x}'s manager
     */
    public static NDArray scoped(NDArray x, UnaryOperator<NDArray> block) {
        NDManager owner = x.getManager();
        try (NDManager sub = owner.newSubManager()) {
            x.tempAttach(sub);
            NDArray out = block.apply(x);
            if (out == x) {
                throw new IllegalStateException("a scoped block must return a new array");
            }
            out.attach(owner);
            return out;
        }
    }

    /**
     * Reshapes {@code w} (typically a weight owned by a model manager) into a view owned by {@code owner}, so the
     * view is freed with the caller's scope instead of accumulating in the model's manager.
     */
    public static NDArray viewIn(NDArray w, NDManager owner, long... shape) {
        NDArray v = w.reshape(shape);
        v.attach(owner);
        return v;
    }
}
