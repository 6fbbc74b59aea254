package dev.vqclip.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.nn.Tensors;

import java.util.function.Function;

/**
 * CLIP's text tower: {@code token_embedding[ids] + positional_embedding}, the residual attention blocks with a
 * causal additive mask, {@code ln_final}, the row at the first maximum of the token ids (the end-of-text token has
 * the largest id), {@code @ text_projection}.
 *
 * <p>The stages are public for tests and tools; {@link Clip#encodeText} chains them. Weights and the mask belong to
 * the {@link Clip} that built this tower; results belong to the manager of the method's input.
 */
public final class TextTransformer {
    private final ClipConfig config;
    private final NDArray tokenEmbedding;
    private final NDArray positional;
    private final NDArray mask;
    private final ResidualAttentionBlock[] blocks;
    private final NDArray lnFinalW;
    private final NDArray lnFinalB;
    private final NDArray textProjection;

    TextTransformer(ClipConfig config, Function<String, NDArray> params, NDManager weights, DataType dataType) {
        this.config = config;
        tokenEmbedding = params.apply("token_embedding.weight");
        positional = params.apply("positional_embedding");
        int l = config.contextLength();
        float[] m = new float[l * l];
        for (int i = 0; i < l; i++) {
            for (int j = i + 1; j < l; j++) {
                m[i * l + j] = Float.NEGATIVE_INFINITY;
            }
        }
        try (NDArray m32 = Tensors.fromHost(weights, m, new Shape(l, l))) {
            mask = Tensors.copy(m32, dataType);
        }
        blocks = ResidualAttentionBlock.stack(params, "transformer.resblocks.", config.textLayers(),
                config.textWidth(), config.textHeads());
        lnFinalW = params.apply("ln_final.weight");
        lnFinalB = params.apply("ln_final.bias");
        textProjection = params.apply("text_projection");
    }

    /** @return the number of residual attention blocks */
    public int layers() {
        return blocks.length;
    }

    /**
     * Token plus positional embedding.
     *
     * @param ids token ids (N, contextLength), int64, on the model's device, each in [0, vocabSize)
     * @return (N, contextLength, width) in the manager of {@code ids}
     */
    public NDArray embed(NDArray ids) {
        Shape s = ids.getShape();
        if (s.dimension() != 2 || s.get(1) != config.contextLength()) {
            throw new IllegalArgumentException("CLIP text encoder expects token ids (N, " + config.contextLength()
                    + "), got " + s);
        }
        NDArray rows;
        try (NDArray flat = ids.reshape(-1)) {
            rows = tokenEmbedding.get(new NDIndex("{}", flat));
        }
        rows.attach(ids.getManager());
        return rows.reshape(s.get(0), s.get(1), config.textWidth()).add(positional);
    }

    /**
     * @param i block index, 0 ≤ i &lt; {@link #layers()}
     * @param x tokens (N, contextLength, width)
     * @return the block's output with the causal mask applied, in x's manager
     */
    public NDArray block(int i, NDArray x) {
        return blocks[i].forward(x, mask);
    }

    /** @return {@code ln_final} at every position (N, contextLength, width), in x's manager */
    public NDArray lnFinal(NDArray x) {
        return ResidualAttentionBlock.layerNorm(x, lnFinalW, lnFinalB, config.textWidth());
    }

    /**
     * @param x {@code ln_final} output (N, contextLength, width)
     * @param tokens the same token ids as Java arrays
     * @return the row of each text at the first maximum of its ids, {@code @ text_projection} (N, embedDim), in x's
     *     manager
     */
    public NDArray poolAndProject(NDArray x, long[][] tokens) {
        int l = config.contextLength();
        long[] rows = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            rows[i] = (long) i * l + argMax(tokens[i]);
        }
        NDArray picked;
        // engine-owned copy (see Clip.encodeText): the gather's backward reads idx after it is closed here
        try (NDArray idx = Tensors.fromHost(x.getManager(), rows, new Shape(rows.length));
             NDArray flat = x.reshape((long) tokens.length * l, config.textWidth())) {
            picked = flat.get(new NDIndex("{}", idx));
        }
        return picked.matMul(textProjection);
    }

    /** @return the index of the first maximum (like {@code torch.argmax} on CLIP's token rows) */
    static int argMax(long[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }
}
