package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;

/**
 * Observes intermediate outputs of the encoder and decoder, named by their module paths in taming's state dict
 * (for example {@code encoder.conv_in}, {@code encoder.down.1.attn.0}, {@code decoder.mid.block_2},
 * {@code decoder.norm_out}). Used by parity tests and diagnostics.
 *
 * <p>The array passed in may be freed as soon as {@link #tap} returns: copy what you need (for example with
 * {@code toFloatArray()}) inside the call.
 */
@FunctionalInterface
public interface Probe {
    /** A probe that ignores everything. */
    Probe NONE = (name, value) -> { };

    /**
     * @param module the module path, as in the state dict without the parameter suffix
     * @param value that module's output
     */
    void tap(String module, NDArray value);
}
