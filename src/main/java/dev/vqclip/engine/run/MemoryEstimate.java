package dev.vqclip.engine.run;

import ai.djl.ndarray.NDArray;
import dev.vqclip.engine.DeviceMemory;
import dev.vqclip.engine.clip.ClipConfig;
import dev.vqclip.engine.vqgan.VqganConfig;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The memory one optimisation step needs at its peak, counted from the computation rather than fitted: the models'
 * weights, what autograd keeps for the backward pass of the decoder and of CLIP (for every cutout), what the step
 * holds besides, and a fixed overhead of the runtime (JVM and libtorch, measured once: see {@code docs/memory.md}).
 *
 * <p>The peak of a step is at the end of CLIP's forward pass: the decoder's saved activations are all alive (its
 * backward comes last), the cutouts and their augmentation graph are alive, and CLIP's image tower holds every
 * intermediate of every block until its forward returns ({@code VisionTransformer.forward} frees them in one scope
 * at the end). The counts below follow the code of {@code engine.vqgan.Blocks}, {@code engine.clip
 * .ResidualAttentionBlock}, {@code engine.augment.CutoutAugmenter} and {@code BilinearSampler}, op by op.
 *
 * @param width image width in pixels (a multiple of the VQGAN's factor)
 * @param height image height in pixels
 * @param cutouts cutouts per step
 * @param overheadBytes JVM and libtorch with nothing loaded (a measured constant per kind of device)
 * @param weightBytes the weights of both models
 * @param decoderBytes what the decoder's graph holds when its forward pass is done
 * @param cutoutBytes the cutouts' augmentation graphs and CLIP's image tower, all cutouts together
 * @param otherBytes the rest of the step: the decoded image and its copies
 */
public record MemoryEstimate(int width, int height, int cutouts, long overheadBytes, long weightBytes,
                             long decoderBytes, long cutoutBytes, long otherBytes) {
    /**
     * JVM plus libtorch on the CPU with no model loaded: resident memory of a process that started the engine and ran
     * one small forward and backward pass (measured on Linux x86-64, Java 17, PyTorch 2.7.1; see docs/memory.md).
     */
    public static final long CPU_OVERHEAD_BYTES = 205L << 20;
    /**
     * The CUDA context, cuBLAS/cuDNN workspaces and the caching allocator's slack on a GPU, in device memory (the
     * usual size of a CUDA 12 context with cuDNN loaded; not measured here, no GPU).
     */
    public static final long GPU_OVERHEAD_BYTES = 600L << 20;

    private static final int FLOAT = 4;
    private static final int LONG = 8;

    /**
     * What the estimate needs to know about the models.
     *
     * @param vqgan the VQGAN's architecture
     * @param clip CLIP's sizes
     * @param weightBytes bytes of both models' weights
     * @param clipValueBytes bytes per value of CLIP's activations (4 for float32, 2 for float16)
     * @param gpu whether the models run on a GPU
     * @param moreClips the sizes of an ensemble's further CLIPs (their weights are in {@code weightBytes})
     */
    public record Models(VqganConfig vqgan, ClipConfig clip, long weightBytes, int clipValueBytes, boolean gpu,
                         List<ClipConfig> moreClips) {
        public Models {
            moreClips = List.copyOf(moreClips);
        }

        /** One CLIP. */
        public Models(VqganConfig vqgan, ClipConfig clip, long weightBytes, int clipValueBytes, boolean gpu) {
            this(vqgan, clip, weightBytes, clipValueBytes, gpu, List.of());
        }

        /** @return the description of loaded models (their weights counted exactly), every CLIP of an ensemble */
        public static Models of(RunModels m) {
            long bytes = 0;
            for (NDArray p : m.vqgan().parameters().values()) {
                bytes += p.size() * p.getDataType().getNumOfBytes();
            }
            List<ClipConfig> more = new ArrayList<>();
            for (ClipGuide g : m.guides()) {
                for (NDArray p : g.clip().parameters().values()) {
                    bytes += p.size() * p.getDataType().getNumOfBytes();
                }
                if (g.clip() != m.clip()) {
                    more.add(g.clip().config());
                }
            }
            return new Models(m.vqgan().config(), m.clip().config(), bytes, m.clip().dataType().getNumOfBytes(),
                    m.device().isGpu(), more);
        }

        /** @return the VQGAN's pixels per latent cell */
        public int factor() {
            return vqgan.factor();
        }
    }

    /** @return what the process needs at the step's peak, the weights and the runtime included */
    public long totalBytes() {
        return overheadBytes + weightBytes + stepBytes();
    }

    /** @return what one step adds at its peak to a process that holds the models */
    public long stepBytes() {
        return decoderBytes + cutoutBytes + otherBytes;
    }

    /**
     * @param m the models
     * @param width image width (rounded down to the factor, as a run does)
     * @param height image height
     * @param cutouts cutouts per step
     * @return the estimate
     */
    public static MemoryEstimate of(Models m, int width, int height, int cutouts) {
        int f = m.factor();
        int w = Math.max(f, width / f * f);
        int h = Math.max(f, height / f * f);
        long latent = (long) (w / f) * (h / f);
        long decoder = decoderValues(m.vqgan(), latent) * FLOAT;
        // every CLIP's graph stays alive until the backward; one augmented batch per input resolution
        long perCutout = augmentBytes(m.clip().imageResolution()) + clipValues(m.clip()) * m.clipValueBytes();
        Set<Integer> resolutions = new HashSet<>(List.of(m.clip().imageResolution()));
        for (ClipConfig c : m.moreClips()) {
            perCutout += clipValues(c) * m.clipValueBytes()
                    + (resolutions.add(c.imageResolution()) ? augmentBytes(c.imageResolution()) : 0);
        }
        long other = otherBytes((long) w * h);
        return new MemoryEstimate(w, h, cutouts, m.gpu() ? GPU_OVERHEAD_BYTES : CPU_OVERHEAD_BYTES, m.weightBytes(),
                decoder, perCutout * cutouts, other);
    }

    /**
     * Values the decoder's graph keeps for its backward pass, from post_quant_conv to conv_out.
     *
     * <p>Per ResnetBlock (in → out channels, S positions): its input (GroupNorm saves it), the norm's output, the
     * sigmoid and the product of swish (both saved by the multiplication), then the same four for the second half:
     * {@code 4·in·S + 4·out·S}. Per AttnBlock (C channels): input, norm output, q, k, v and the attention output
     * before proj_out ({@code 6·C·S}) plus the softmax ({@code S²}). Per Upsample: the upsampled map its convolution
     * saves ({@code C·4S}). The head: input, norm, sigmoid, swish ({@code 4·C·S}).
     */
    static long decoderValues(VqganConfig cfg, long latentPositions) {
        long s = latentPositions;
        int levels = cfg.levels();
        int c = cfg.channels(levels - 1);
        long values = (long) cfg.embedDim() * s + (long) cfg.zChannels() * s; // post_quant_conv and conv_in inputs
        values += resnet(c, c, s) + attention(c, s) + resnet(c, c, s); // the middle
        int res = cfg.resolution() >> (levels - 1);
        for (int level = levels - 1; level >= 0; level--) {
            int out = cfg.channels(level);
            for (int b = 0; b <= cfg.numResBlocks(); b++) {
                values += resnet(c, out, s);
                c = out;
                if (cfg.attentionAt(res)) {
                    values += attention(c, s);
                }
            }
            if (level != 0) {
                s *= 4;
                res *= 2;
                values += (long) c * s;
            }
        }
        return values + 4L * c * s;
    }

    private static long resnet(long in, long out, long s) {
        return 4 * in * s + 4 * out * s;
    }

    private static long attention(long c, long s) {
        return 6 * c * s + s * s;
    }

    /**
     * Values of CLIP's image tower for one cutout at the end of its forward pass (all intermediates are alive until
     * it returns). Per block (L tokens, width D, H heads): ln_1's output, qkv (3), the scaled q, the contiguous
     * copies of k and v, the attention output and its head-merged copy, out_proj's output, the residual sum, ln_2's
     * output (each D per token: 13·L·D), the MLP's c_fc output, its 1.702 scaling, the sigmoid and the product
     * (4·D each: 16·L·D), c_proj's output and the residual sum (2·L·D): 31·L·D; and the attention scores with their
     * softmax, {@code 2·H·L²}. The patch embedding adds the patch copy, the projection, the padded tokens, the
     * positions added and ln_pre: {@code 3·R² + 4·L·D}.
     */
    static long clipValues(ClipConfig cfg) {
        long l = cfg.visionTokens();
        long d = cfg.visionWidth();
        long perBlock = 31 * l * d + 2L * cfg.visionHeads() * l * l;
        long r = cfg.imageResolution();
        return cfg.visionLayers() * perBlock + 3 * r * r + 4 * l * d;
    }

    /**
     * Bytes the augmentation of one cutout keeps for the backward pass (P = R² sampled points, 3 channels): the
     * padded batch the bilinear sampler gathers from (3P), its gather index (4 neighbours × P, int64), the four
     * gathered corners (12P) and their weights (4P), the warped result the colour matrix multiplies (3P), and the
     * normalised copies the step holds (sub and div: 6P).
     */
    static long augmentBytes(int resolution) {
        long p = (long) resolution * resolution;
        return (3 + 12 + 4 + 3 + 6) * p * FLOAT + 4 * p * LONG;
    }

    /**
     * The decoded image with u, its clamp and the detached leaf CLIP reads (4 × 3 × pixels). The quantiser's
     * distance matrix (latent cells × codebook rows) is freed before the decoder runs, so it is not part of the peak.
     */
    static long otherBytes(long pixels) {
        return 4 * 3 * pixels * FLOAT;
    }

    /** @return e.g. "256x256 with 32 cutouts needs about 4.2 GiB (weights 1.0, decoder 1.4, cutouts 1.4, ...)" */
    public String describe() {
        return String.format(Locale.ROOT, "%dx%d with %d cutouts needs about %s (weights %s, decoder %s, "
                + "%d cutouts %s, runtime %s)", width, height, cutouts, gib(totalBytes()), gib(weightBytes),
                gib(decoderBytes + otherBytes), cutouts, gib(cutoutBytes), gib(overheadBytes));
    }

    private static String gib(long bytes) {
        return DeviceMemory.gib(bytes);
    }
}
