package dev.vqclip.engine.vqgan;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.nn.Activations;
import dev.vqclip.engine.nn.Convs;
import dev.vqclip.engine.nn.GroupNorm;
import dev.vqclip.engine.nn.Resample;
import dev.vqclip.engine.nn.Scopes;
import dev.vqclip.engine.nn.SpatialAttention;

import java.util.ArrayList;
import java.util.List;

/** The building blocks of taming's {@code diffusionmodules/model.py}, holding their weights. */
final class Blocks {
    static final float NORM_EPS = 1e-6f;

    private Blocks() {
    }

    /** A convolution with its weights, stride and padding. */
    record Conv(String name, NDArray weight, NDArray bias, int stride, int padding) {
        static Conv load(ParamSource src, String name, int out, int in, int kernel, int stride, int padding) {
            double bound = 1.0 / Math.sqrt((double) in * kernel * kernel);
            NDArray w = src.take(name + ".weight", ParamSource.Init.UNIFORM, bound, out, in, kernel, kernel);
            NDArray b = src.take(name + ".bias", ParamSource.Init.UNIFORM, bound, out);
            return new Conv(name, w, b, stride, padding);
        }

        NDArray apply(NDArray x) {
            return Convs.conv2d(x, weight, bias, stride, padding);
        }
    }

    /** taming's {@code Normalize}: GroupNorm(32 groups, eps 1e-6, affine). */
    record Norm(String name, NDArray gamma, NDArray beta) {
        static Norm load(ParamSource src, String name, int channels) {
            NDArray g = src.take(name + ".weight", ParamSource.Init.ONES, 0, channels);
            NDArray b = src.take(name + ".bias", ParamSource.Init.ZEROS, 0, channels);
            return new Norm(name, g, b);
        }

        NDArray apply(NDArray x) {
            return GroupNorm.apply(x, VqganConfig.NORM_GROUPS, gamma, beta, NORM_EPS);
        }
    }

    /** {@code x + conv2(swish(norm2(conv1(swish(norm1(x))))))}, with a 1×1 shortcut when channels change. */
    record ResnetBlock(String name, Norm norm1, Conv conv1, Norm norm2, Conv conv2, Conv shortcut) {
        static ResnetBlock load(ParamSource src, String name, int in, int out) {
            return new ResnetBlock(name,
                    Norm.load(src, name + ".norm1", in),
                    Conv.load(src, name + ".conv1", out, in, 3, 1, 1),
                    Norm.load(src, name + ".norm2", out),
                    Conv.load(src, name + ".conv2", out, out, 3, 1, 1),
                    in == out ? null : Conv.load(src, name + ".nin_shortcut", out, in, 1, 1, 0));
        }

        NDArray apply(NDArray x) {
            return Scopes.scoped(x, in -> {
                NDArray h = conv1.apply(Activations.swish(norm1.apply(in)));
                // dropout is the identity at inference
                h = conv2.apply(Activations.swish(norm2.apply(h)));
                NDArray skip = shortcut == null ? in : shortcut.apply(in);
                // in place on the convolution's output, which its backward does not need
                return h.addi(skip);
            });
        }
    }

    /** Single-head spatial self-attention with a residual connection. */
    record AttnBlock(String name, Norm norm, Conv q, Conv k, Conv v, Conv proj) {
        static AttnBlock load(ParamSource src, String name, int c) {
            return new AttnBlock(name,
                    Norm.load(src, name + ".norm", c),
                    Conv.load(src, name + ".q", c, c, 1, 1, 0),
                    Conv.load(src, name + ".k", c, c, 1, 1, 0),
                    Conv.load(src, name + ".v", c, c, 1, 1, 0),
                    Conv.load(src, name + ".proj_out", c, c, 1, 1, 0));
        }

        NDArray apply(NDArray x) {
            return Scopes.scoped(x, in -> {
                NDArray h = norm.apply(in);
                NDArray att = SpatialAttention.apply(q.apply(h), k.apply(h), v.apply(h));
                return proj.apply(att).addi(in);
            });
        }
    }

    /** Zero pad right and bottom by one, then a 3×3 convolution with stride 2. */
    record Downsample(String name, Conv conv) {
        static Downsample load(ParamSource src, String name, int c) {
            return new Downsample(name, Conv.load(src, name + ".conv", c, c, 3, 2, 0));
        }

        NDArray apply(NDArray x) {
            return Scopes.scoped(x, in -> conv.apply(Resample.padRightBottom(in)));
        }
    }

    /** Nearest-neighbour ×2, then a 3×3 convolution. */
    record Upsample(String name, Conv conv) {
        static Upsample load(ParamSource src, String name, int c) {
            return new Upsample(name, Conv.load(src, name + ".conv", c, c, 3, 1, 1));
        }

        NDArray apply(NDArray x) {
            return Scopes.scoped(x, in -> conv.apply(Resample.upsampleNearest2x(in)));
        }
    }

    /**
     * One resolution level of the encoder or decoder: ResnetBlocks {@code PREFIX.block.i}, each followed by an
     * AttnBlock {@code PREFIX.attn.i} when the level has attention. (The level's Downsample or Upsample is the
     * caller's.)
     *
     * @param channels the channels the level outputs
     */
    record Level(List<ResnetBlock> blocks, List<AttnBlock> attns, int channels) {
        /** Loads {@code count} blocks, the first from {@code in} channels, all to {@code out}. */
        static Level load(ParamSource src, String prefix, int count, int in, int out, boolean attention) {
            List<ResnetBlock> bs = new ArrayList<>();
            List<AttnBlock> as = new ArrayList<>();
            int blockIn = in;
            for (int b = 0; b < count; b++) {
                bs.add(ResnetBlock.load(src, prefix + ".block." + b, blockIn, out));
                blockIn = out;
                if (attention) {
                    as.add(AttnBlock.load(src, prefix + ".attn." + b, blockIn));
                }
            }
            return new Level(List.copyOf(bs), List.copyOf(as), blockIn);
        }

        /** Runs the blocks in order on {@code h} with {@link #advance} ({@code input} is the caller's). */
        NDArray forward(NDArray h, NDArray input, Probe probe) {
            for (int b = 0; b < blocks.size(); b++) {
                h = advance(h, blocks.get(b).apply(h), input, blocks.get(b).name(), probe);
                if (!attns.isEmpty()) {
                    h = advance(h, attns.get(b).apply(h), input, attns.get(b).name(), probe);
                }
            }
            return h;
        }
    }

    /** The middle of the encoder and decoder: {@code PREFIX.block_1}, {@code PREFIX.attn_1}, {@code PREFIX.block_2}. */
    record Middle(ResnetBlock block1, AttnBlock attn, ResnetBlock block2) {
        static Middle load(ParamSource src, String prefix, int channels) {
            ResnetBlock b1 = ResnetBlock.load(src, prefix + ".block_1", channels, channels);
            AttnBlock a = AttnBlock.load(src, prefix + ".attn_1", channels);
            ResnetBlock b2 = ResnetBlock.load(src, prefix + ".block_2", channels, channels);
            return new Middle(b1, a, b2);
        }

        /** Runs the three blocks on {@code h} with {@link #advance} ({@code input} is the caller's). */
        NDArray forward(NDArray h, NDArray input, Probe probe) {
            h = advance(h, block1.apply(h), input, block1.name(), probe);
            h = advance(h, attn.apply(h), input, attn.name(), probe);
            return advance(h, block2.apply(h), input, block2.name(), probe);
        }
    }

    /** {@code conv_out(swish(norm_out(x)))}, tapping the norm's output. */
    static NDArray head(NDArray x, Norm norm, Conv conv, Probe probe) {
        return Scopes.scoped(x, in -> {
            NDArray n = norm.apply(in);
            probe.tap(norm.name(), n);
            return conv.apply(Activations.swish(n));
        });
    }

    /**
     * Moves a sequential computation one step on: taps {@code next}, and frees {@code previous} unless it is the
     * caller's input (which the caller owns).
     */
    static NDArray advance(NDArray previous, NDArray next, NDArray input, String name, Probe probe) {
        if (previous != input) {
            previous.close();
        }
        probe.tap(name, next);
        return next;
    }
}
