package dev.vqclip.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.optim.Adam;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The engine's {@link Adam} (PyTorch's formula, no weight decay) over a map of named weights, for training the demo
 * models, with PyTorch's {@code clip_grad_norm_} in front.
 *
 * <p>Training pattern: the weights here are plain arrays without gradients. Each step calls {@link #leaves} to get
 * fresh copies that require a gradient (so nothing accumulates between steps), builds the model from them inside
 * the {@link GradientCollector}, runs backward, then calls {@link #step} with the leaves, which reads their
 * gradients and updates the weights in place. The weights and the moments live in the manager given to the
 * constructor (closed by its owner); leaves and temporaries live in the step's sub-manager.
 */
final class ParameterAdam {
    private final Map<String, NDArray> weights;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final double beta1;
    private final double beta2;
    private final Adam adam;
    private int t;

    /**
     * @param weights the arrays to train, updated in place (not owned)
     * @param manager receives the moment arrays
     */
    ParameterAdam(Map<String, NDArray> weights, NDManager manager, double beta1, double beta2, double eps) {
        this.weights = weights;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.adam = new Adam(eps);
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            m.put(e.getKey(), manager.zeros(e.getValue().getShape()));
            v.put(e.getKey(), manager.zeros(e.getValue().getShape()));
        }
    }

    /**
     * The weights to train, taken from a freshly built model: copies of its parameters, in their order, attached to
     * {@code master}; the model is closed.
     */
    static <M extends AutoCloseable> Map<String, NDArray> initialWeights(M model,
                                                                        Function<M, Map<String, NDArray>> parameters,
                                                                        NDManager master) {
        try (model) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : parameters.apply(model).entrySet()) {
                NDArray copy = e.getValue().duplicate();
                copy.attach(master);
                weights.put(e.getKey(), copy);
            }
            return weights;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // the engine's models close without checked exceptions
            throw new IllegalStateException("closing the initial model failed", e);
        }
    }

    /** @return copies of the weights that require a gradient, owned by {@code step} */
    Map<String, NDArray> leaves(NDManager step) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            NDArray leaf = e.getValue().duplicate();
            leaf.attach(step);
            leaf.setRequiresGradient(true);
            out.put(e.getKey(), leaf);
        }
        return out;
    }

    /**
     * Applies one update from the leaves' gradients (call after the collector is closed). A weight whose leaf got
     * no gradient keeps its value.
     *
     * @param step the step's manager, which receives the temporaries
     */
    void step(Map<String, NDArray> leaves, double lr, NDManager step) {
        step(leaves, lr, Double.POSITIVE_INFINITY, step);
    }

    /**
     * {@link #step(Map, double, NDManager)} with the gradients scaled down together when their global L2 norm
     * exceeds {@code maxNorm} (PyTorch's {@code clip_grad_norm_}).
     *
     * @return the global gradient norm before clipping
     */
    double step(Map<String, NDArray> leaves, double lr, double maxNorm, NDManager step) {
        double sq = 0;
        Map<String, NDArray> grads = new LinkedHashMap<>();
        for (String name : weights.keySet()) {
            NDArray g = leaves.get(name).getGradient();
            g.attach(step);
            grads.put(name, g);
            sq += g.square().sum().getFloat();
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            return norm; // skip a step whose gradient overflowed rather than poison the weights
        }
        float scale = norm > maxNorm ? (float) (maxNorm / (norm + 1e-6)) : 1f;
        t++;
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            NDArray g = scale == 1f ? grads.get(e.getKey()) : Tensors.mul(grads.get(e.getKey()), scale);
            NDArray mi = m.get(e.getKey());
            NDArray vi = v.get(e.getKey());
            // temporaries made from these must go to the step's manager, not the long-lived one
            step.tempAttachAll(mi, vi, e.getValue());
            adam.step(e.getValue(), mi, vi, g, t, lr, beta1, beta2, null);
        }
        return norm;
    }

    /** @return updates made so far */
    int steps() {
        return t;
    }
}
