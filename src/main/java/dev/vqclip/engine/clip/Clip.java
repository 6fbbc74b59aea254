package dev.vqclip.engine.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.nn.Tensors;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightFiles;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenAI CLIP (ViT) on DJL: the image encoder (differentiable with respect to its input, batch-first — the hot path
 * of the optimisation loop), the text encoder and CLIP's pixel normalisation.
 *
 * <p>Weights are read by our own readers and copied into a manager this object owns on the chosen device; no code
 * from a model file is ever run. {@link #close()} frees them. Every method's result belongs to the manager of its
 * input (for {@link #encodeText}, the manager passed in); the caller closes it. Not thread-safe: use one engine
 * thread per model, as DJL's PyTorch engine requires for autograd anyway.
 */
public final class Clip implements AutoCloseable {
    /** Per-channel mean of OpenAI's preprocessing (RGB). */
    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** Per-channel standard deviation of OpenAI's preprocessing (RGB). */
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final ClipConfig config;
    private final NDManager manager;
    private final DataType dataType;
    private final Map<String, NDArray> params;
    private final VisionTransformer vision;
    private final TextTransformer text;
    private final float logitScaleLog;
    private final NDArray mean;
    private final NDArray std;

    private Clip(ClipConfig config, NDManager manager, Map<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.params = params;
        NDArray any = params.get("visual.conv1.weight");
        this.dataType = any.getDataType();
        this.logitScaleLog = params.get("logit_scale").toType(DataType.FLOAT32, false).toFloatArray()[0];
        Function<String, NDArray> lookup = name -> {
            NDArray a = params.get(name);
            if (a == null) {
                throw new IllegalStateException("no parameter " + name);
            }
            return a;
        };
        this.vision = new VisionTransformer(config, lookup);
        this.text = new TextTransformer(config, lookup, manager, dataType);
        try (NDArray m = Tensors.fromHost(manager, MEAN, new Shape(1, 3, 1, 1));
             NDArray s = Tensors.fromHost(manager, STD, new Shape(1, 3, 1, 1))) {
            this.mean = Tensors.copy(m, dataType);
            this.std = Tensors.copy(s, dataType);
        }
    }

    /**
     * Reads an OpenAI CLIP ViT file and builds the model. The file is only read (never executed): OpenAI's released
     * TorchScript archives ({@code ViT-B-32.pt}, fp16 weights converted in Java), {@code torch.save} state dicts and
     * safetensors with OpenAI's tensor names are accepted.
     *
     * @param file the model file
     * @param device where to compute
     * @throws dev.vqclip.engine.weights.WeightsException naming the file and the problem (unreadable, not CLIP, a
     *     ResNet CLIP, missing / unexpected / misshapen tensors)
     */
    public static Clip load(Path file, Device device) {
        return fromStateDict(WeightFiles.load(file), device);
    }

    /**
     * Builds CLIP from OpenAI-named tensors (a state dict, or the tensors of OpenAI's TorchScript archive; the
     * archive's {@code input_resolution}, {@code context_length} and {@code vocab_size} buffers are ignored).
     *
     * @param weights the tensors; not retained
     * @param device where to compute
     * @throws dev.vqclip.engine.weights.WeightsException naming the file and the tensors when the file is not a
     *     CLIP ViT (ResNet models are refused with a clear message)
     */
    public static Clip fromStateDict(StateDict weights, Device device) {
        ClipConfig config = ClipConfig.fromWeights(weights);
        NDManager manager = newManager(device, "clip");
        try {
            return new Clip(config, manager, ClipWeights.fromStateDict(weights, config, manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model with seeded random weights (for benchmarks and tests).
     *
     * @param config sizes, e.g. {@link ClipConfig#builtin}
     * @param device where to compute
     * @param seed the same seed gives the same weights
     */
    public static Clip randomWeights(ClipConfig config, Device device, long seed) {
        NDManager manager = newManager(device, "clip-random");
        try {
            return new Clip(config, manager, ClipWeights.random(config, manager, seed));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model computing with the given arrays as its weights, e.g. fresh leaves that require a gradient (for
     * training: build it inside the {@link ai.djl.training.GradientCollector} so that everything derived from the
     * weights is recorded too). The arrays stay owned by the caller; constants the model makes (text mask, pixel
     * mean and std) go to a sub-manager of {@code visual.conv1.weight}'s manager, which {@link #close()} frees.
     *
     * @param config the sizes; {@code parameters} must hold every tensor of {@link ClipConfig#expectedTensors()}
     * @throws IllegalArgumentException naming a missing or misshapen tensor
     */
    public static Clip fromParameters(ClipConfig config, Map<String, NDArray> parameters) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : config.expectedTensors().entrySet()) {
            NDArray a = parameters.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("no tensor '" + e.getKey() + "' among the parameters");
            }
            if (!a.getShape().equals(new Shape(e.getValue()))) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + a.getShape()
                        + "; the config implies " + new Shape(e.getValue()));
            }
            params.put(e.getKey(), a);
        }
        NDManager manager = params.get("visual.conv1.weight").getManager().newSubManager();
        try {
            return new Clip(config, manager, params);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * @return every weight by its OpenAI name (read-only view; the arrays are the model's own: do not close them)
     */
    public Map<String, NDArray> parameters() {
        return java.util.Collections.unmodifiableMap(params);
    }

    /**
     * A copy of this model whose weights have another floating point type (float64 for gradient checks). The copy
     * owns its own weights; close both.
     */
    public Clip withDataType(DataType type) {
        NDManager m = newManager(manager.getDevice(), "clip-" + type);
        try {
            Map<String, NDArray> converted = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray c = Tensors.copy(e.getValue(), type);
                c.attach(m);
                converted.put(e.getKey(), c);
            }
            return new Clip(config, m, converted);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Maps pixels in [0, 1] to CLIP's input: {@code (x − mean) / std} per channel with OpenAI's mean (0.48145466,
     * 0.4578275, 0.40821073) and std (0.26862954, 0.26130258, 0.27577711). Differentiable.
     *
     * @param pixels01 (N, 3, H, W) on this model's device
     * @return normalised pixels, same shape, in the manager of {@code pixels01}
     */
    public NDArray normalize(NDArray pixels01) {
        Shape s = pixels01.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("expected RGB images (N, 3, H, W), got " + s);
        }
        checkPlacement(pixels01, "pixels");
        return pixels01.sub(mean).div(std);
    }

    /**
     * Image features (not normalised), batch-first. Differentiable with respect to the input: call it inside a
     * {@link ai.djl.training.GradientCollector} with a batch of cutouts. Intermediates are closed before return.
     *
     * @param normalizedPixels (N, 3, R, R) with R = {@link #imageResolution()}, on this model's device and in its data
     *     type (float32 unless made by {@link #withDataType})
     * @return (N, embedDim) in the manager of {@code normalizedPixels}
     */
    public NDArray encodeImage(NDArray normalizedPixels) {
        checkPlacement(normalizedPixels, "pixels");
        return vision.forward(normalizedPixels);
    }

    /**
     * Text features (not normalised). No gradient is recorded.
     *
     * @param m receives the result (it may live on another device; the result is moved there)
     * @param tokens one row of {@link #contextLength()} ids per text, each in [0, vocabSize), as produced by CLIP's
     *     tokenizer (start token, ids, end token, zero padding)
     * @return (tokens.length, embedDim) in {@code m}
     */
    public NDArray encodeText(NDManager m, long[][] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no texts to encode");
        }
        int l = config.contextLength();
        long[] flat = new long[tokens.length * l];
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].length != l) {
                throw new IllegalArgumentException("text " + i + " has " + tokens[i].length + " tokens; CLIP needs "
                        + l);
            }
            for (int j = 0; j < l; j++) {
                long id = tokens[i][j];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("text " + i + ": token id " + id + " at " + j
                            + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
                flat[i * l + j] = id;
            }
        }
        try (NDManager scope = manager.newSubManager()) {
            // engine-owned copy: under a GradientCollector the embedding's backward still reads the ids after this
            // scope closes, and an array made from a Java array aliases a direct buffer freed with its wrapper
            NDArray ids = Tensors.fromHost(scope, flat, new Shape(tokens.length, l));
            NDArray x = text.embed(ids);
            for (int i = 0; i < text.layers(); i++) {
                x = text.block(i, x);
            }
            NDArray out = text.poolAndProject(text.lnFinal(x), tokens);
            if (!out.getDevice().equals(m.getDevice())) {
                out = out.toDevice(m.getDevice(), false);
            }
            out.attach(m);
            return out;
        }
    }

    /**
     * CLIP's logits: {@code exp(logit_scale) · normalize(image) · normalize(text)ᵀ}.
     *
     * @return (images, texts) in the manager of {@code imageFeatures}
     */
    public NDArray logitsPerImage(NDArray imageFeatures, NDArray textFeatures) {
        NDArray a = imageFeatures.normalize(2, -1, 1e-12);
        NDArray b = textFeatures.normalize(2, -1, 1e-12);
        return Tensors.mul(a.matMul(b.transpose()), logitScale());
    }

    /** @return the image tower (for intermediates) */
    public VisionTransformer vision() {
        return vision;
    }

    /** @return the text tower (for intermediates) */
    public TextTransformer text() {
        return text;
    }

    /** @return the input side R of {@link #encodeImage} */
    public int imageResolution() {
        return config.imageResolution();
    }

    /** @return the size of the joint embedding */
    public int embedDim() {
        return config.embedDim();
    }

    /** @return tokens per text (77 for OpenAI's models) */
    public int contextLength() {
        return config.contextLength();
    }

    /** @return the logit multiplier {@code exp(logit_scale)} (the file stores its logarithm) */
    public float logitScale() {
        return (float) Math.exp(logitScaleLog);
    }

    /** @return {@code logit_scale} as stored (the logarithm of {@link #logitScale()}) */
    public float logitScaleLog() {
        return logitScaleLog;
    }

    /** @return the sizes of this model */
    public ClipConfig config() {
        return config;
    }

    /** @return the device the weights live on; inputs must be there too */
    public Device device() {
        return manager.getDevice();
    }

    /** @return the data type of the weights (inputs must have it) */
    public DataType dataType() {
        return dataType;
    }

    /** @return how many arrays the model's own manager holds (for leak checks in tests) */
    int weightArrayCount() {
        return manager.getManagedArrays().size();
    }

    /** Frees the weights. Arrays returned earlier stay valid (they belong to the callers' managers). */
    @Override
    public void close() {
        manager.close();
    }

    private static NDManager newManager(Device device, String name) {
        NDManager m = NDManager.newBaseManager(device);
        m.setName(name);
        return m;
    }

    private void checkPlacement(NDArray x, String what) {
        if (!x.getDevice().equals(manager.getDevice())) {
            throw new IllegalArgumentException(what + " are on " + x.getDevice() + " but CLIP's weights are on "
                    + manager.getDevice());
        }
        if (x.getDataType() != dataType) {
            throw new IllegalArgumentException(what + " have type " + x.getDataType() + " but CLIP computes in "
                    + dataType);
        }
    }
}
