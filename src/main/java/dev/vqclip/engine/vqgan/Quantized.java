package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;

/**
 * The result of quantising a latent. All arrays belong to the manager of the latent that was quantised.
 *
 * @param zq the straight-through value {@code z + stopGradient(e[idx] − z)}: forward equals the codebook rows (up
 *     to float rounding), gradient flows to z unchanged; (N, embed_dim, H, W)
 * @param zqExact the codebook rows {@code e[idx]} themselves (no gradient to z); (N, embed_dim, H, W)
 * @param indices int64 codebook indices, (N, H, W)
 */
public record Quantized(NDArray zq, NDArray zqExact, NDArray indices) {
    /** @return the indices copied to Java, in (n, h, w) row-major order */
    public long[] indexArray() {
        return indices.toLongArray();
    }
}
