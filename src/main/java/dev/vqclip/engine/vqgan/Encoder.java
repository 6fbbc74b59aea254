package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.vqgan.Blocks.AttnBlock;
import dev.vqclip.engine.vqgan.Blocks.Conv;
import dev.vqclip.engine.vqgan.Blocks.Downsample;
import dev.vqclip.engine.vqgan.Blocks.Norm;
import dev.vqclip.engine.vqgan.Blocks.ResnetBlock;

import java.util.ArrayList;
import java.util.List;

/**
 * taming's {@code Encoder}: conv_in, then per level {@code num_res_blocks} ResnetBlocks (each followed by an
 * AttnBlock where the level's config resolution is in {@code attn_resolutions}) and a Downsample except at the last
 * level, then the middle (block_1, attn_1, block_2), norm_out, swish and conv_out to {@code z_channels}.
 * Weights belong to the owning {@link Vqgan}.
 */
public final class Encoder {
    private final Conv convIn;
    private final List<List<ResnetBlock>> blocks = new ArrayList<>();
    private final List<List<AttnBlock>> attns = new ArrayList<>();
    private final List<Downsample> downs = new ArrayList<>();
    private final ResnetBlock mid1;
    private final AttnBlock midAttn;
    private final ResnetBlock mid2;
    private final Norm normOut;
    private final Conv convOut;

    Encoder(VqganConfig cfg, ParamSource src) {
        String p = "encoder.";
        convIn = Conv.load(src, p + "conv_in", cfg.ch(), cfg.inChannels(), 3, 1, 1);
        int res = cfg.resolution();
        int blockIn = cfg.ch();
        for (int level = 0; level < cfg.levels(); level++) {
            String lp = p + "down." + level;
            blockIn = level == 0 ? cfg.ch() : cfg.channels(level - 1);
            int blockOut = cfg.channels(level);
            List<ResnetBlock> bs = new ArrayList<>();
            List<AttnBlock> as = new ArrayList<>();
            for (int b = 0; b < cfg.numResBlocks(); b++) {
                bs.add(ResnetBlock.load(src, lp + ".block." + b, blockIn, blockOut));
                blockIn = blockOut;
                if (cfg.attentionAt(res)) {
                    as.add(AttnBlock.load(src, lp + ".attn." + b, blockIn));
                }
            }
            blocks.add(bs);
            attns.add(as);
            if (level != cfg.levels() - 1) {
                downs.add(Downsample.load(src, lp + ".downsample", blockIn));
                res /= 2;
            }
        }
        mid1 = ResnetBlock.load(src, p + "mid.block_1", blockIn, blockIn);
        midAttn = AttnBlock.load(src, p + "mid.attn_1", blockIn);
        mid2 = ResnetBlock.load(src, p + "mid.block_2", blockIn, blockIn);
        normOut = Norm.load(src, p + "norm_out", blockIn);
        convOut = Conv.load(src, p + "conv_out", cfg.zChannels(), blockIn, 3, 1, 1);
    }

    /**
     * @param x image batch (N, in_channels, H, W)
     * @param probe observer of intermediate outputs ({@link Probe#NONE} for none)
     * @return (N, z_channels, H/f, W/f), owned by {@code x}'s manager; intermediates are freed on the way
     */
    public NDArray forward(NDArray x, Probe probe) {
        NDArray h = convIn.apply(x);
        probe.tap(convIn.name(), h);
        for (int level = 0; level < blocks.size(); level++) {
            List<ResnetBlock> bs = blocks.get(level);
            List<AttnBlock> as = attns.get(level);
            for (int b = 0; b < bs.size(); b++) {
                h = Blocks.advance(h, bs.get(b).apply(h), x, bs.get(b).name(), probe);
                if (!as.isEmpty()) {
                    h = Blocks.advance(h, as.get(b).apply(h), x, as.get(b).name(), probe);
                }
            }
            if (level < downs.size()) {
                h = Blocks.advance(h, downs.get(level).apply(h), x, downs.get(level).name(), probe);
            }
        }
        h = Blocks.advance(h, mid1.apply(h), x, mid1.name(), probe);
        h = Blocks.advance(h, midAttn.apply(h), x, midAttn.name(), probe);
        h = Blocks.advance(h, mid2.apply(h), x, mid2.name(), probe);
        return Blocks.advance(h, Blocks.head(h, normOut, convOut, probe), x, convOut.name(), probe);
    }
}
