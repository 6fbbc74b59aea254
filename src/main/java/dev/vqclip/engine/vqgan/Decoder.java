package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.vqgan.Blocks.AttnBlock;
import dev.vqclip.engine.vqgan.Blocks.Conv;
import dev.vqclip.engine.vqgan.Blocks.Norm;
import dev.vqclip.engine.vqgan.Blocks.ResnetBlock;
import dev.vqclip.engine.vqgan.Blocks.Upsample;

import java.util.ArrayList;
import java.util.List;

/**
 * taming's {@code Decoder}: conv_in from {@code z_channels}, the middle (block_1, attn_1, block_2), then the levels
 * from the lowest resolution up, each with {@code num_res_blocks + 1} ResnetBlocks (plus AttnBlocks where the
 * level's config resolution is in {@code attn_resolutions}) and an Upsample except at level 0, then norm_out, swish
 * and conv_out. In the state dict {@code decoder.up.i} is level i, so {@code decoder.up.0} runs last.
 * Works at any latent size: attention placement follows the config, not the input.
 */
public final class Decoder {
    private final Conv convIn;
    private final ResnetBlock mid1;
    private final AttnBlock midAttn;
    private final ResnetBlock mid2;
    /** In execution order: level L-1 first. */
    private final List<List<ResnetBlock>> blocks = new ArrayList<>();
    private final List<List<AttnBlock>> attns = new ArrayList<>();
    private final List<Upsample> ups = new ArrayList<>();
    private final Norm normOut;
    private final Conv convOut;

    Decoder(VqganConfig cfg, ParamSource src) {
        String p = "decoder.";
        int levels = cfg.levels();
        int blockIn = cfg.channels(levels - 1);
        int res = cfg.resolution() >> (levels - 1);
        convIn = Conv.load(src, p + "conv_in", blockIn, cfg.zChannels(), 3, 1, 1);
        mid1 = ResnetBlock.load(src, p + "mid.block_1", blockIn, blockIn);
        midAttn = AttnBlock.load(src, p + "mid.attn_1", blockIn);
        mid2 = ResnetBlock.load(src, p + "mid.block_2", blockIn, blockIn);
        for (int level = levels - 1; level >= 0; level--) {
            String lp = p + "up." + level;
            int blockOut = cfg.channels(level);
            List<ResnetBlock> bs = new ArrayList<>();
            List<AttnBlock> as = new ArrayList<>();
            for (int b = 0; b <= cfg.numResBlocks(); b++) {
                bs.add(ResnetBlock.load(src, lp + ".block." + b, blockIn, blockOut));
                blockIn = blockOut;
                if (cfg.attentionAt(res)) {
                    as.add(AttnBlock.load(src, lp + ".attn." + b, blockIn));
                }
            }
            blocks.add(bs);
            attns.add(as);
            if (level != 0) {
                ups.add(Upsample.load(src, lp + ".upsample", blockIn));
                res *= 2;
            }
        }
        normOut = Norm.load(src, p + "norm_out", blockIn);
        convOut = Conv.load(src, p + "conv_out", cfg.outChannels(), blockIn, 3, 1, 1);
    }

    /**
     * @param z latent after post_quant_conv (N, z_channels, h, w), any h and w
     * @param probe observer of intermediate outputs ({@link Probe#NONE} for none)
     * @return (N, out_ch, h·f, w·f), owned by {@code z}'s manager; intermediates are freed on the way
     */
    public NDArray forward(NDArray z, Probe probe) {
        NDArray h = convIn.apply(z);
        probe.tap(convIn.name(), h);
        h = Blocks.advance(h, mid1.apply(h), z, mid1.name(), probe);
        h = Blocks.advance(h, midAttn.apply(h), z, midAttn.name(), probe);
        h = Blocks.advance(h, mid2.apply(h), z, mid2.name(), probe);
        for (int i = 0; i < blocks.size(); i++) {
            List<ResnetBlock> bs = blocks.get(i);
            List<AttnBlock> as = attns.get(i);
            for (int b = 0; b < bs.size(); b++) {
                h = Blocks.advance(h, bs.get(b).apply(h), z, bs.get(b).name(), probe);
                if (!as.isEmpty()) {
                    h = Blocks.advance(h, as.get(b).apply(h), z, as.get(b).name(), probe);
                }
            }
            if (i < ups.size()) {
                h = Blocks.advance(h, ups.get(i).apply(h), z, ups.get(i).name(), probe);
            }
        }
        return Blocks.advance(h, Blocks.head(h, normOut, convOut, probe), z, convOut.name(), probe);
    }
}
