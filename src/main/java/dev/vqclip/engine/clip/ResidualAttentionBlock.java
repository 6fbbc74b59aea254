package dev.vqclip.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.vqclip.engine.nn.Tensors;

import java.util.function.Function;

/**
 * One block of CLIP's transformer: {@code x + attn(ln_1(x))}, then {@code x + c_proj(QuickGELU(c_fc(ln_2(x))))}.
 * Attention follows PyTorch's {@code multi_head_attention_forward}: packed {@code in_proj} (rows q, k, v), heads of
 * width / heads, q scaled by 1/sqrt(head width) before q·kᵀ, an optional additive mask, softmax over keys, out_proj.
 * Tokens are batch-first (N, L, D). The weights belong to the owning model; results belong to the input's manager.
 */
final class ResidualAttentionBlock {
    /** LayerNorm epsilon of CLIP (PyTorch's default). */
    static final float LN_EPS = 1e-5f;

    private final int width;
    private final int heads;
    private final double qScale;
    private final NDArray ln1W;
    private final NDArray ln1B;
    private final NDArray inW;
    private final NDArray inB;
    private final NDArray outW;
    private final NDArray outB;
    private final NDArray ln2W;
    private final NDArray ln2B;
    private final NDArray fcW;
    private final NDArray fcB;
    private final NDArray projW;
    private final NDArray projB;

    /**
     * @param params the model's parameters by name
     * @param prefix the blocks' common name prefix, e.g. {@code "transformer.resblocks."} (block i's parameters
     *     are {@code prefix + i + ".ln_1.weight"}, ...)
     * @return the {@code layers} blocks of one tower, in order
     */
    static ResidualAttentionBlock[] stack(Function<String, NDArray> params, String prefix, int layers, int width,
                                          int heads) {
        ResidualAttentionBlock[] blocks = new ResidualAttentionBlock[layers];
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            blocks[i] = new ResidualAttentionBlock(n -> params.apply(p + n), width, heads);
        }
        return blocks;
    }

    /**
     * @param params looks up a parameter by its name relative to the block ({@code ln_1.weight}, ...)
     */
    ResidualAttentionBlock(Function<String, NDArray> params, int width, int heads) {
        this.width = width;
        this.heads = heads;
        this.qScale = 1.0 / Math.sqrt(width / heads);
        ln1W = params.apply("ln_1.weight");
        ln1B = params.apply("ln_1.bias");
        inW = params.apply("attn.in_proj_weight");
        inB = params.apply("attn.in_proj_bias");
        outW = params.apply("attn.out_proj.weight");
        outB = params.apply("attn.out_proj.bias");
        ln2W = params.apply("ln_2.weight");
        ln2B = params.apply("ln_2.bias");
        fcW = params.apply("mlp.c_fc.weight");
        fcB = params.apply("mlp.c_fc.bias");
        projW = params.apply("mlp.c_proj.weight");
        projB = params.apply("mlp.c_proj.bias");
    }

    /**
     * @param x tokens (N, L, width)
     * @param mask additive attention mask (L, L), or null
     * @return the block's output (N, L, width), in x's manager
     */
    NDArray forward(NDArray x, NDArray mask) {
        long n = x.getShape().get(0);
        long l = x.getShape().get(1);
        long hd = width / heads;

        NDArray h = layerNorm(x, ln1W, ln1B, width);
        NDArray qkv = Linear.linear(h, inW, inB).singletonOrThrow()
                .reshape(n, l, 3, heads, hd)
                .transpose(2, 0, 3, 1, 4); // (3, N, H, L, hd)
        NDArray q = Tensors.mul(qkv.get(0), qScale);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // (N, H, L, L)
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray attn = scores.softmax(-1).matMul(v) // (N, H, L, hd)
                .transpose(0, 2, 1, 3)
                .reshape(n, l, width);
        x = x.add(Linear.linear(attn, outW, outB).singletonOrThrow());

        NDArray m = Linear.linear(layerNorm(x, ln2W, ln2B, width), fcW, fcB).singletonOrThrow();
        m = quickGelu(m);
        return x.add(Linear.linear(m, projW, projB).singletonOrThrow());
    }

    /** CLIP's activation {@code x·sigmoid(1.702·x)}. */
    static NDArray quickGelu(NDArray x) {
        return x.mul(Activation.sigmoid(Tensors.mul(x, 1.702)));
    }

    /** LayerNorm over the last axis with CLIP's epsilon. */
    static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, int width) {
        return LayerNorm.layerNorm(x, new Shape(width), gamma, beta, LN_EPS).singletonOrThrow();
    }
}
