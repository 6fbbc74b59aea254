package dev.vqclip.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Single-head self-attention over the H·W positions of a feature map, as taming-transformers' {@code AttnBlock}
 * computes it after its q, k and v projections: {@code out_i = Σ_j softmax_j(q_i·k_j / sqrt(C)) v_j}.
 */
public final class SpatialAttention {
    private SpatialAttention() {
    }

    /**
     * @param q queries (N, C, H, W)
     * @param k keys (N, C, H, W)
     * @param v values (N, C, H, W)
     * @return (N, C, H, W) attention output, owned by {@code q}'s manager
     */
    public static NDArray apply(NDArray q, NDArray k, NDArray v) {
        Shape s = q.getShape();
        Resample.requireNchw(s, "attention");
        if (!k.getShape().equals(s) || !v.getShape().equals(s)) {
            throw new IllegalArgumentException("attention: q " + s + ", k " + k.getShape() + " and v "
                    + v.getShape() + " differ");
        }
        long n = s.get(0);
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        double scale = 1.0 / Math.sqrt(c);
        return Scopes.scoped(q, qq -> {
            // borrow k and v into the same scope so their reshaped views are freed with it
            k.tempAttach(qq.getManager());
            v.tempAttach(qq.getManager());
            NDArray queries = qq.reshape(n, c, hw).transpose(0, 2, 1);        // N, HW, C
            NDArray keys = k.reshape(n, c, hw);                                 // N, C, HW
            NDArray logits = Tensors.mul(queries.matMul(keys), scale);                   // N, HW(q), HW(k)
            NDArray weights = logits.softmax(2);
            NDArray out = v.reshape(n, c, hw).matMul(weights.transpose(0, 2, 1)); // N, C, HW(q)
            return out.reshape(s);
        });
    }
}
