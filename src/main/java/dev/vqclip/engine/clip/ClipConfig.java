package dev.vqclip.engine.clip;

import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightsException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Sizes of an OpenAI CLIP ViT model. {@link #fromWeights} infers them from tensor shapes exactly as OpenAI's
 * {@code build_model} does; {@link #builtin} gives the published sizes (for random-weight benchmarks).
 *
 * @param embedDim joint embedding size ({@code text_projection.shape[1]})
 * @param imageResolution input side in pixels (patch size × grid)
 * @param visionLayers residual attention blocks of the image tower
 * @param visionWidth token width of the image tower
 * @param visionHeads attention heads of the image tower (width / 64)
 * @param visionPatchSize side of a square patch (kernel and stride of {@code conv1})
 * @param contextLength tokens per text (77 for OpenAI's models)
 * @param vocabSize rows of the token embedding
 * @param textWidth token width of the text tower
 * @param textHeads attention heads of the text tower (width / 64)
 * @param textLayers residual attention blocks of the text tower
 */
public record ClipConfig(int embedDim, int imageResolution, int visionLayers, int visionWidth, int visionHeads,
                         int visionPatchSize, int contextLength, int vocabSize, int textWidth, int textHeads,
                         int textLayers) {

    /** Head width of every released CLIP model; {@code build_model} derives the head count from it. */
    public static final int HEAD_WIDTH = 64;

    /** Scalar buffers of OpenAI's TorchScript archives that describe the model but are not weights. */
    static final java.util.Set<String> NON_WEIGHT_BUFFERS = java.util.Set.of("input_resolution", "context_length",
            "vocab_size");

    /** Checks that the sizes are positive and consistent. */
    public ClipConfig {
        requirePositive("embedDim", embedDim);
        requirePositive("imageResolution", imageResolution);
        requirePositive("visionLayers", visionLayers);
        requirePositive("visionWidth", visionWidth);
        requirePositive("visionHeads", visionHeads);
        requirePositive("visionPatchSize", visionPatchSize);
        requirePositive("contextLength", contextLength);
        requirePositive("vocabSize", vocabSize);
        requirePositive("textWidth", textWidth);
        requirePositive("textHeads", textHeads);
        requirePositive("textLayers", textLayers);
        if (imageResolution % visionPatchSize != 0) {
            throw new IllegalArgumentException("image resolution " + imageResolution + " is not a multiple of the patch size "
                    + visionPatchSize);
        }
        if (visionWidth % visionHeads != 0 || textWidth % textHeads != 0) {
            throw new IllegalArgumentException("width must be a multiple of the head count (vision " + visionWidth + "/"
                    + visionHeads + ", text " + textWidth + "/" + textHeads + ")");
        }
    }

    /** @return patches per side of the image */
    public int grid() {
        return imageResolution / visionPatchSize;
    }

    /** @return tokens of the image tower: one class token plus grid² patches */
    public int visionTokens() {
        return grid() * grid() + 1;
    }

    /**
     * The published sizes of OpenAI's ViT models.
     *
     * @param name {@code ViT-B/32}, {@code ViT-B/16} or {@code ViT-L/14} (case-insensitive; {@code -} works for {@code /})
     * @throws IllegalArgumentException for another name
     */
    public static ClipConfig builtin(String name) {
        String key = name.trim().toUpperCase(Locale.ROOT).replace('-', '/').replace("VIT/", "VIT-");
        return switch (key) {
            case "VIT-B/32" -> new ClipConfig(512, 224, 12, 768, 12, 32, 77, 49408, 512, 8, 12);
            case "VIT-B/16" -> new ClipConfig(512, 224, 12, 768, 12, 16, 77, 49408, 512, 8, 12);
            case "VIT-L/14" -> new ClipConfig(768, 224, 24, 1024, 16, 14, 77, 49408, 768, 12, 12);
            default -> throw new IllegalArgumentException("unknown CLIP model '" + name
                    + "': expected ViT-B/32, ViT-B/16 or ViT-L/14");
        };
    }

    /**
     * Infers the sizes from OpenAI-named tensors as {@code clip.model.build_model} does.
     *
     * @throws WeightsException naming the file when it holds a ResNet CLIP, is not a CLIP model, or has
     *     inconsistent sizes
     */
    public static ClipConfig fromWeights(StateDict sd) {
        String src = sd.source();
        if (sd.names().stream().anyMatch(k -> k.startsWith("visual.layer1.") || k.startsWith("visual.attnpool."))) {
            throw new WeightsException(src + ": ResNet CLIP models (RN50, RN101, RN50x4, ...) are not supported yet;"
                    + " use a ViT model (ViT-B/32, ViT-B/16, ViT-L/14)");
        }
        long[] conv = shapeOf(sd, "visual.conv1.weight", 4);
        long[] vpos = shapeOf(sd, "visual.positional_embedding", 2);
        long[] tproj = shapeOf(sd, "text_projection", 2);
        long[] tpos = shapeOf(sd, "positional_embedding", 2);
        long[] tok = shapeOf(sd, "token_embedding.weight", 2);
        long[] lnf = shapeOf(sd, "ln_final.weight", 1);

        int visionWidth = dim(src, "visual.conv1.weight", conv[0]);
        int patch = dim(src, "visual.conv1.weight", conv[3]);
        if (conv[1] != 3 || conv[2] != conv[3]) {
            throw new WeightsException(src + ": tensor 'visual.conv1.weight' has shape " + Arrays.toString(conv)
                    + "; expected [width, 3, patch, patch]");
        }
        int visionLayers = (int) sd.names().stream()
                .filter(k -> k.startsWith("visual.") && k.endsWith(".attn.in_proj_weight")).count();
        long cells = vpos[0] - 1;
        int grid = (int) Math.round(Math.sqrt((double) cells));
        if (cells <= 0 || (long) grid * grid != cells) {
            throw new WeightsException(src + ": 'visual.positional_embedding' has " + vpos[0]
                    + " rows; expected 1 + grid² rows");
        }
        int embedDim = dim(src, "text_projection", tproj[1]);
        int context = dim(src, "positional_embedding", tpos[0]);
        int vocab = dim(src, "token_embedding.weight", tok[0]);
        int textWidth = dim(src, "ln_final.weight", lnf[0]);
        TreeSet<Integer> textBlocks = new TreeSet<>();
        for (String k : sd.names()) {
            if (k.startsWith("transformer.resblocks.")) {
                String idx = k.substring("transformer.resblocks.".length()).split("\\.", 2)[0];
                try {
                    textBlocks.add(Integer.parseInt(idx));
                } catch (NumberFormatException e) {
                    throw new WeightsException(src + ": unexpected tensor '" + k + "'");
                }
            }
        }
        if (visionLayers == 0 || textBlocks.isEmpty()) {
            throw new WeightsException(src + ": no residual attention blocks found (visual.transformer.resblocks.* / "
                    + "transformer.resblocks.*); not an OpenAI CLIP ViT model?");
        }
        if (visionWidth % HEAD_WIDTH != 0 || textWidth % HEAD_WIDTH != 0) {
            throw new WeightsException(src + ": widths " + visionWidth + " (vision) and " + textWidth
                    + " (text) must be multiples of " + HEAD_WIDTH + " (CLIP's head width)");
        }
        try {
            return new ClipConfig(embedDim, patch * grid, visionLayers, visionWidth, visionWidth / HEAD_WIDTH, patch,
                    context, vocab, textWidth, textWidth / HEAD_WIDTH, textBlocks.size());
        } catch (IllegalArgumentException e) {
            throw new WeightsException(src + ": inconsistent CLIP sizes: " + e.getMessage(), e);
        }
    }

    /**
     * Every weight tensor the model needs, with its shape, in OpenAI's names. {@code logit_scale} has shape
     * {@code []}.
     */
    public Map<String, long[]> expectedTensors() {
        Map<String, long[]> m = new LinkedHashMap<>();
        long vw = visionWidth;
        long tw = textWidth;
        m.put("visual.conv1.weight", new long[] {vw, 3, visionPatchSize, visionPatchSize});
        m.put("visual.class_embedding", new long[] {vw});
        m.put("visual.positional_embedding", new long[] {visionTokens(), vw});
        m.put("visual.ln_pre.weight", new long[] {vw});
        m.put("visual.ln_pre.bias", new long[] {vw});
        for (int i = 0; i < visionLayers; i++) {
            putBlock(m, "visual.transformer.resblocks." + i + ".", vw);
        }
        m.put("visual.ln_post.weight", new long[] {vw});
        m.put("visual.ln_post.bias", new long[] {vw});
        m.put("visual.proj", new long[] {vw, embedDim});
        m.put("token_embedding.weight", new long[] {vocabSize, tw});
        m.put("positional_embedding", new long[] {contextLength, tw});
        for (int i = 0; i < textLayers; i++) {
            putBlock(m, "transformer.resblocks." + i + ".", tw);
        }
        m.put("ln_final.weight", new long[] {tw});
        m.put("ln_final.bias", new long[] {tw});
        m.put("text_projection", new long[] {tw, embedDim});
        m.put("logit_scale", new long[] {});
        return m;
    }

    private static void putBlock(Map<String, long[]> m, String p, long w) {
        m.put(p + "ln_1.weight", new long[] {w});
        m.put(p + "ln_1.bias", new long[] {w});
        m.put(p + "attn.in_proj_weight", new long[] {3 * w, w});
        m.put(p + "attn.in_proj_bias", new long[] {3 * w});
        m.put(p + "attn.out_proj.weight", new long[] {w, w});
        m.put(p + "attn.out_proj.bias", new long[] {w});
        m.put(p + "ln_2.weight", new long[] {w});
        m.put(p + "ln_2.bias", new long[] {w});
        m.put(p + "mlp.c_fc.weight", new long[] {4 * w, w});
        m.put(p + "mlp.c_fc.bias", new long[] {4 * w});
        m.put(p + "mlp.c_proj.weight", new long[] {w, 4 * w});
        m.put(p + "mlp.c_proj.bias", new long[] {w});
    }

    private static long[] shapeOf(StateDict sd, String name, int rank) {
        if (!sd.contains(name)) {
            throw new WeightsException(sd.source() + ": not an OpenAI CLIP ViT model: missing tensor '" + name + "'");
        }
        RawTensor t = sd.get(name);
        long[] s = t.shape();
        if (s.length != rank) {
            throw new WeightsException(sd.source() + ": tensor '" + name + "' has shape " + Arrays.toString(s)
                    + "; expected " + rank + " dimensions");
        }
        return s;
    }

    private static int dim(String src, String name, long d) {
        if (d <= 0 || d > Integer.MAX_VALUE) {
            throw new WeightsException(src + ": tensor '" + name + "' has an impossible dimension " + d);
        }
        return (int) d;
    }

    private static void requirePositive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }
}
