package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Element-wise nonlinearities. */
public final class Activations {
    private Activations() {
    }

    /** @return {@code x · sigmoid(x)} (swish / SiLU), owned by {@code x}'s manager */
    public static NDArray swish(NDArray x) {
        // the sigmoid is saved for the backward pass, so it must not be modified in place
        return Activation.sigmoid(x).mul(x);
    }
}
