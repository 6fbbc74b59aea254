package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;

/**
 * Supplies the weight tensors that the model's blocks ask for by state-dict name and config-implied shape. The
 * implementations read a checkpoint (checking every shape) or draw seeded random numbers.
 */
interface ParamSource {
    /** How a randomly initialised tensor is filled. */
    enum Init { ONES, ZEROS, UNIFORM }

    /**
     * @param name state-dict name, e.g. {@code decoder.up.3.block.0.conv1.weight}
     * @param init how to fill it when there is no file (bound of UNIFORM is {@code bound})
     * @param bound half-width of the uniform distribution
     * @param shape the shape the config implies
     * @return the tensor, owned by the model's manager
     */
    NDArray take(String name, Init init, double bound, long... shape);
}
