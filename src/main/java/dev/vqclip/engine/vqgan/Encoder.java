package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.vqgan.Blocks.Conv;
import dev.vqclip.engine.vqgan.Blocks.Downsample;
import dev.vqclip.engine.vqgan.Blocks.Level;
import dev.vqclip.engine.vqgan.Blocks.Middle;
import dev.vqclip.engine.vqgan.Blocks.Norm;

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
    private final List<Level> levels = new ArrayList<>();
    private final List<Downsample> downs = new ArrayList<>();
    private final Middle mid;
    private final Norm normOut;
    private final Conv convOut;

    Encoder(VqganConfig cfg, ParamSource src) {
        String p = "encoder.";
        convIn = Conv.load(src, p + "conv_in", cfg.ch(), cfg.inChannels(), 3, 1, 1);
        int res = cfg.resolution();
        int blockIn = cfg.ch();
        for (int level = 0; level < cfg.levels(); level++) {
            String lp = p + "down." + level;
            int levelIn = level == 0 ? cfg.ch() : cfg.channels(level - 1);
            Level l = Level.load(src, lp, cfg.numResBlocks(), levelIn, cfg.channels(level), cfg.attentionAt(res));
            levels.add(l);
            blockIn = l.channels();
            if (level != cfg.levels() - 1) {
                downs.add(Downsample.load(src, lp + ".downsample", blockIn));
                res /= 2;
            }
        }
        mid = Middle.load(src, p + "mid", blockIn);
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
        for (int level = 0; level < levels.size(); level++) {
            h = levels.get(level).forward(h, x, probe);
            if (level < downs.size()) {
                h = Blocks.advance(h, downs.get(level).apply(h), x, downs.get(level).name(), probe);
            }
        }
        h = mid.forward(h, x, probe);
        return Blocks.advance(h, Blocks.head(h, normOut, convOut, probe), x, convOut.name(), probe);
    }
}
