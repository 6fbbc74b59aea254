package dev.vqclip.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

import java.util.function.Function;

/**
 * CLIP's image tower (OpenAI {@code VisionTransformer}): patchify with {@code conv1} (kernel = stride = patch, no
 * bias; computed as one matrix product over the patches), prepend {@code class_embedding}, add
 * {@code positional_embedding}, {@code ln_pre}, the residual attention blocks, {@code ln_post} of the class token,
 * {@code @ proj}.
 *
 * <p>The stages are public so that tests and tools can look at intermediates; {@link #forward} chains them. Weights
 * belong to the {@link Clip} that built this tower; every result belongs to the manager of the method's input.
 */
public final class VisionTransformer {
    private final ClipConfig config;
    private final NDArray patchWeight;
    private final NDArray tokenBias;
    private final NDArray lnPreW;
    private final NDArray lnPreB;
    private final ResidualAttentionBlock[] blocks;
    private final NDArray lnPostW;
    private final NDArray lnPostB;
    private final NDArray proj;

    VisionTransformer(ClipConfig config, Function<String, NDArray> params) {
        this.config = config;
        int w = config.visionWidth();
        int p = config.visionPatchSize();
        int tokens = config.visionTokens();
        patchWeight = params.apply("visual.conv1.weight").reshape(w, 3L * p * p);
        // row 0: class embedding + its position; rows 1..: the patch positions (patch tokens are padded with a zero
        // row in front, so one addition places the class token and adds all positions)
        try (NDArray cls = params.apply("visual.class_embedding").reshape(1, w);
             NDArray clsRows = cls.pad(new Shape(0, 0, 0, tokens - 1), 0)) {
            tokenBias = params.apply("visual.positional_embedding").add(clsRows).reshape(1, tokens, w);
        }
        lnPreW = params.apply("visual.ln_pre.weight");
        lnPreB = params.apply("visual.ln_pre.bias");
        blocks = ResidualAttentionBlock.stack(params, "visual.transformer.resblocks.", config.visionLayers(), w,
                config.visionHeads());
        lnPostW = params.apply("visual.ln_post.weight");
        lnPostB = params.apply("visual.ln_post.bias");
        proj = params.apply("visual.proj");
    }

    /** @return the number of residual attention blocks */
    public int layers() {
        return blocks.length;
    }

    /**
     * The whole tower. Intermediates are closed before returning (autograd keeps what backward needs), so only the
     * result is added to the input's manager.
     *
     * @param pixels normalised images (N, 3, R, R) on the model's device, in the model's data type
     * @return image features (N, embedDim), not normalised, in the manager of {@code pixels}; differentiable with
     *     respect to {@code pixels}
     */
    public NDArray forward(NDArray pixels) {
        NDManager owner = pixels.getManager();
        try (NDManager scope = owner.newSubManager(pixels.getDevice())) {
            NDArray x = embed(pixels, scope);
            for (ResidualAttentionBlock b : blocks) {
                x = b.forward(x, null);
            }
            NDArray out = project(pool(x));
            out.attach(owner);
            return out;
        }
    }

    /**
     * Patch embedding, class token, positional embedding and {@code ln_pre}.
     *
     * @param pixels normalised images (N, 3, R, R)
     * @return tokens (N, grid² + 1, width) in the manager of {@code pixels}
     */
    public NDArray embed(NDArray pixels) {
        return embed(pixels, pixels.getManager());
    }

    private NDArray embed(NDArray pixels, NDManager into) {
        Shape s = pixels.getShape();
        int r = config.imageResolution();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != r || s.get(3) != r) {
            throw new IllegalArgumentException("CLIP image encoder expects (N, 3, " + r + ", " + r + "), got " + s);
        }
        long n = s.get(0);
        int g = config.grid();
        int p = config.visionPatchSize();
        NDArray patches = pixels.reshape(n, 3, g, p, g, p);
        patches.attach(into);
        NDArray x = Linear.linear(patches.transpose(0, 2, 4, 1, 3, 5).reshape(n, (long) g * g, 3L * p * p),
                patchWeight).singletonOrThrow();
        x = x.pad(new Shape(0, 0, 1, 0), 0).add(tokenBias);
        return ResidualAttentionBlock.layerNorm(x, lnPreW, lnPreB, config.visionWidth());
    }

    /**
     * @param i block index, 0 ≤ i &lt; {@link #layers()}
     * @param x tokens (N, grid² + 1, width)
     * @return the block's output, in x's manager
     */
    public NDArray block(int i, NDArray x) {
        return blocks[i].forward(x, null);
    }

    /**
     * @param x tokens after the last block (N, grid² + 1, width)
     * @return {@code ln_post} of the class token (N, width), in x's manager
     */
    public NDArray pool(NDArray x) {
        return ResidualAttentionBlock.layerNorm(x.get(new NDIndex(":, 0, :")), lnPostW, lnPostB,
                config.visionWidth());
    }

    /**
     * @param pooled (N, width)
     * @return {@code pooled @ proj} (N, embedDim), in pooled's manager
     */
    public NDArray project(NDArray pooled) {
        return pooled.matMul(proj);
    }
}
