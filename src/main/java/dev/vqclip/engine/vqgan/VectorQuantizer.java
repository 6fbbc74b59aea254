package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.nn.Tensors;

/**
 * Nearest-neighbour vector quantisation against a codebook, as taming's {@code VectorQuantizer2} (and VQGAN-CLIP's
 * {@code vector_quantize}): rows of the latent in (n, h, w) order, squared distances
 * {@code d = Σz² + Σe² − 2·z·eᵀ}, the first index of the minimum, and a straight-through estimator.
 * The codebook belongs to the owning {@link Vqgan}.
 */
public class VectorQuantizer {
    private final NDArray codebook;
    private final NDArray codebookT;
    private final NDArray codebookSq;
    private final int nEmbed;
    private final int embedDim;

    VectorQuantizer(NDArray codebook) {
        Shape s = codebook.getShape();
        this.codebook = codebook;
        this.nEmbed = Math.toIntExact(s.get(0));
        this.embedDim = Math.toIntExact(s.get(1));
        this.codebookT = codebook.transpose();
        try (NDArray sq = codebook.square(); NDArray sum = sq.sum(new int[] {1})) {
            this.codebookSq = sum.reshape(1, nEmbed);
        }
    }

    static VectorQuantizer load(ParamSource src, String name, VqganConfig cfg) {
        return new VectorQuantizer(src.take(name, ParamSource.Init.UNIFORM, 1.0 / cfg.nEmbed(), cfg.nEmbed(),
                cfg.embedDim()));
    }

    /** @return the codebook (n_embed, embed_dim), owned by the model; do not close it */
    public NDArray codebook() {
        return codebook;
    }

    /**
     * @param z latent (N, embed_dim, H, W)
     * @return squared distances (N·H·W, n_embed), rows in (n, h, w) order, owned by {@code z}'s manager
     */
    public NDArray distances(NDArray z) {
        NDArray rows = rows(z);
        NDArray d = distancesOfRows(rows);
        rows.close();
        return d;
    }

    /**
     * Quantises {@code z} to its nearest codebook rows.
     *
     * @param z latent (N, embed_dim, H, W); may require a gradient
     * @return zq (straight-through), the exact codebook rows and the indices, owned by {@code z}'s manager
     */
    public Quantized quantize(NDArray z) {
        Shape s = checkLatent(z);
        NDArray rows = rows(z);
        NDArray d = distancesOfRows(rows);
        NDArray idx = d.argMin(1);
        rows.close();
        d.close();
        NDArray indices = idx.reshape(s.get(0), s.get(2), s.get(3));
        idx.close();
        NDArray exact = lookup(indices);
        NDArray delta = exact.sub(z);
        NDArray detached = delta.stopGradient();
        NDArray zq = z.add(detached);
        delta.close();
        detached.close();
        return new Quantized(zq, exact, indices);
    }

    /**
     * @param indices int64 (N, H, W)
     * @return the codebook rows as a latent (N, embed_dim, H, W), owned by {@code indices}' manager
     */
    public NDArray lookup(NDArray indices) {
        Shape s = indices.getShape();
        if (s.dimension() != 3) {
            throw new IllegalArgumentException("indices must be (N, H, W), got " + s);
        }
        NDManager m = indices.getManager();
        NDArray flat = indices.reshape(-1);
        NDArray picked = codebook.get(m, new NDIndex("{}", flat));        // (NHW, C)
        NDArray nhwc = picked.reshape(s.get(0), s.get(1), s.get(2), embedDim);
        NDArray out = nhwc.transpose(0, 3, 1, 2);
        flat.close();
        return out;
    }

    /** @return codebook size */
    public int size() {
        return nEmbed;
    }

    /** @return codebook vector length */
    public int embedDim() {
        return embedDim;
    }

    Shape checkLatent(NDArray z) {
        Shape s = z.getShape();
        if (s.dimension() != 4 || s.get(1) != embedDim) {
            throw new IllegalArgumentException("latent must be (N, " + embedDim + ", H, W), got " + s);
        }
        return s;
    }

    private NDArray rows(NDArray z) {
        checkLatent(z);
        return z.transpose(0, 2, 3, 1).reshape(-1, embedDim);
    }

    private NDArray distancesOfRows(NDArray rows) {
        NDArray zSq = rows.square().sum(new int[] {1}, true);
        NDArray dot = rows.matMul(codebookT);
        NDArray sum = zSq.add(codebookSq);
        NDArray twice = Tensors.mul(dot, 2);
        NDArray d = sum.sub(twice);
        zSq.close();
        dot.close();
        sum.close();
        twice.close();
        return d;
    }
}
