package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.vqgan.Blocks.Conv;
import dev.vqclip.engine.vqgan.Blocks.Level;
import dev.vqclip.engine.vqgan.Blocks.Middle;
import dev.vqclip.engine.vqgan.Blocks.Norm;
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
    private final Middle mid;
    /** In execution order: level L-1 first. */
    private final List<Level> levels = new ArrayList<>();
    private final List<Upsample> ups = new ArrayList<>();
    private final Norm normOut;
    private final Conv convOut;

    Decoder(VqganConfig cfg, ParamSource src) {
        String p = "decoder.";
        int levelCount = cfg.levels();
        int blockIn = cfg.channels(levelCount - 1);
        int res = cfg.resolution() >> (levelCount - 1);
        convIn = Conv.load(src, p + "conv_in", blockIn, cfg.zChannels(), 3, 1, 1);
        mid = Middle.load(src, p + "mid", blockIn);
        for (int level = levelCount - 1; level >= 0; level--) {
            String lp = p + "up." + level;
            Level l = Level.load(src, lp, cfg.numResBlocks() + 1, blockIn, cfg.channels(level), cfg.attentionAt(res));
            levels.add(l);
            blockIn = l.channels();
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
        h = mid.forward(h, z, probe);
        for (int i = 0; i < levels.size(); i++) {
            h = levels.get(i).forward(h, z, probe);
            if (i < ups.size()) {
                h = Blocks.advance(h, ups.get(i).apply(h), z, ups.get(i).name(), probe);
            }
        }
        return Blocks.advance(h, Blocks.head(h, normOut, convOut, probe), z, convOut.name(), probe);
    }
}
