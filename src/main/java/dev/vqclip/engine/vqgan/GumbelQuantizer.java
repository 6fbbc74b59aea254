package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.vqgan.Blocks.Conv;

/**
 * taming's {@code GumbelQuantize} (vqgan_gumbel_f8_8192): codebook at {@code quantize.embed.weight} and logits from
 * the 1×1 convolution {@code quantize.proj}. The model's own encoding takes the argmax of the logits (the noise-free
 * limit of its hard Gumbel-softmax); like VQGAN-CLIP, optimisation quantises a latent by its nearest codebook row
 * ({@link #quantize}, inherited).
 */
public final class GumbelQuantizer extends VectorQuantizer {
    private final Conv proj;

    private GumbelQuantizer(NDArray codebook, Conv proj) {
        super(codebook);
        this.proj = proj;
    }

    static GumbelQuantizer load(ParamSource src, VqganConfig cfg) {
        NDArray codebook = src.take("quantize.embed.weight", ParamSource.Init.UNIFORM, 1.0 / cfg.nEmbed(),
                cfg.nEmbed(), cfg.embedDim());
        Conv proj = Conv.load(src, "quantize.proj", cfg.nEmbed(), cfg.zChannels(), 1, 1, 0);
        return new GumbelQuantizer(codebook, proj);
    }

    /**
     * @param h the pre-quantisation latent (N, z_channels, H, W)
     * @return logits over the codebook (N, n_embed, H, W), owned by {@code h}'s manager
     */
    public NDArray logits(NDArray h) {
        return proj.apply(h);
    }

    /**
     * The model's own encoding: argmax of the logits, then the codebook rows. No gradient flows (zq is zqExact).
     *
     * @param h the pre-quantisation latent (N, z_channels, H, W)
     * @return codebook rows and indices, owned by {@code h}'s manager
     */
    public Quantized encode(NDArray h) {
        NDArray logits = logits(h);
        NDArray indices = logits.argMax(1);
        logits.close();
        NDArray exact = lookup(indices);
        return new Quantized(exact, exact, indices);
    }
}
