package dev.vqclip.engine.vqgan;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.check.KernelCheck;
import dev.vqclip.engine.nn.Convs;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightFiles;
import dev.vqclip.engine.weights.WeightsException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A taming-transformers VQGAN ({@code VQModel} or {@code GumbelVQ}) for inference and for optimising a latent
 * through the decoder.
 *
 * <p>Ownership: the weights live in an NDManager this object owns on its device; {@link #close()} frees them. The
 * results of {@link #encode}, {@link #quantize} and {@link #decode} belong to the manager of their input array, so
 * callers run each step in a sub-manager. Not thread-safe: use one thread per model (DJL's engine rules).
 */
public final class Vqgan implements AutoCloseable {
    /** The weight of a group normalisation ({@code norm1}, {@code norm}, {@code norm_out}, ...). */
    private static final java.util.regex.Pattern NORM_WEIGHT =
            java.util.regex.Pattern.compile(".*\\.norm[^.]*\\.weight");
    /** Tensors under these prefixes must all be explained by the config; others (e.g. {@code loss.*}) are ignored. */
    private static final List<String> MODEL_PREFIXES = List.of("encoder.", "decoder.", "quantize.", "quant_conv.",
            "post_quant_conv.");
    private final VqganConfig config;
    private final NDManager manager;
    private final Encoder encoder;
    private final Decoder decoder;
    private final VectorQuantizer quantizer;
    private final Blocks.Conv quantConv;
    private final Blocks.Conv postQuantConv;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    private Vqgan(VqganConfig config, NDManager manager, ParamSource source) {
        this.config = config;
        this.manager = manager;
        ParamSource src = (name, init, bound, shape) -> {
            NDArray a = source.take(name, init, bound, shape);
            parameters.put(name, a);
            return a;
        };
        this.encoder = new Encoder(config, src);
        this.decoder = new Decoder(config, src);
        this.quantConv = Blocks.Conv.load(src, "quant_conv", config.embedDim(), config.zChannels(), 1, 1, 0);
        this.postQuantConv = Blocks.Conv.load(src, "post_quant_conv", config.zChannels(), config.embedDim(), 1, 1,
                0);
        this.quantizer = config.variant() == VqganConfig.Variant.GUMBEL
                ? GumbelQuantizer.load(src, config)
                : VectorQuantizer.load(src, "quantize.embedding.weight", config);
    }

    /**
     * Loads a checkpoint with its taming yaml.
     *
     * @param ckpt a Lightning {@code .ckpt} (zip or legacy torch.save), a plain state dict or a safetensors file
     * @param yaml the taming training config that describes it
     * @param device where the weights go
     * @throws WeightsException when the file cannot be read or does not fit the config (names the tensor and shapes)
     * @throws VqganConfigException when the yaml is unusable (names the file and key)
     */
    public static Vqgan load(Path ckpt, Path yaml, Device device) {
        VqganConfig config = VqganConfig.load(yaml);
        return fromStateDict(WeightFiles.load(ckpt), config, device);
    }

    /**
     * Builds the model from named tensors (a Lightning checkpoint's {@code state_dict} or a plain state dict).
     * Every tensor the config implies must be present with the implied shape. Tensors outside the model
     * ({@code loss.*} and anything not under {@code encoder.}, {@code decoder.}, {@code quantize.},
     * {@code quant_conv.}, {@code post_quant_conv.}) are ignored, as taming's non-strict loading does; a tensor
     * inside the model that the config does not explain is an error (the yaml does not describe this file).
     *
     * @throws WeightsException naming the tensor and both shapes, a missing tensor, or an unexpected one
     */
    public static Vqgan fromStateDict(StateDict weights, VqganConfig config, Device device) {
        StateDict sd = unwrap(weights);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Set<String> used = new LinkedHashSet<>();
            ParamSource src = (name, init, bound, shape) -> {
                RawTensor t = sd.get(name, shape);
                if (!t.dtype().isFloating()) {
                    throw new WeightsException(sd.source() + ": tensor '" + name + "' has type " + t.dtype()
                            + "; expected floating point");
                }
                used.add(name);
                return manager.create(t.toFloatArray(), new Shape(shape));
            };
            Vqgan model = new Vqgan(config, manager, src);
            List<String> unexpected = new ArrayList<>();
            for (String name : sd.names()) {
                if (!used.contains(name) && MODEL_PREFIXES.stream().anyMatch(name::startsWith)) {
                    unexpected.add(name);
                }
            }
            if (!unexpected.isEmpty()) {
                throw new WeightsException(sd.source() + ": " + unexpected.size() + " tensor(s) are not part of the "
                        + "model config " + config.source() + " describes, e.g. '" + unexpected.get(0)
                        + "'; does the yaml belong to this checkpoint?");
            }
            return model.checked();
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model with seeded random weights (PyTorch-like uniform initialisation), for benchmarks and tests.
     *
     * @param seed the same seed gives the same weights
     */
    public static Vqgan randomWeights(VqganConfig config, Device device, long seed) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ParamSource src = (name, init, bound, shape) -> {
                int n = Math.toIntExact(RawTensor.numel(shape));
                float[] v = new float[n];
                switch (init) {
                    case ONES -> Arrays.fill(v, 1f);
                    case ZEROS -> { }
                    case UNIFORM -> {
                        SplittableRandom r = new SplittableRandom(seed * 31 + name.hashCode());
                        for (int i = 0; i < n; i++) {
                            v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
                        }
                    }
                    default -> throw new IllegalStateException();
                }
                return manager.create(v, new Shape(shape));
            };
            return new Vqgan(config, manager, src).checked();
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model computing with the given arrays as its weights, e.g. fresh leaves that require a gradient (for
     * training: build it inside the {@link ai.djl.training.GradientCollector} so that everything derived from the
     * weights is recorded too). The arrays stay owned by the caller; the model's own derived arrays belong to their
     * manager. {@link #close()} frees only a small sub-manager of the codebook's manager.
     *
     * @param parameters every tensor {@link #parameters()} would name, with the config-implied shapes
     * @throws IllegalArgumentException naming a missing or misshapen tensor
     */
    public static Vqgan fromParameters(VqganConfig config, Map<String, NDArray> parameters) {
        NDArray book = parameters.get("quantize.embedding.weight");
        if (book == null) {
            throw new IllegalArgumentException("no tensor 'quantize.embedding.weight' among the parameters");
        }
        NDManager manager = book.getManager().newSubManager();
        try {
            ParamSource src = (name, init, bound, shape) -> {
                NDArray a = parameters.get(name);
                if (a == null) {
                    throw new IllegalArgumentException("no tensor '" + name + "' among the parameters");
                }
                if (!a.getShape().equals(new Shape(shape))) {
                    throw new IllegalArgumentException("tensor '" + name + "' has shape " + a.getShape()
                            + "; the config implies " + new Shape(shape));
                }
                return a;
            };
            // no self-check here: a trainer builds this view of its weights every step, and the shapes are those of
            // the model it started from (randomWeights or a loaded one), which was checked
            return new Vqgan(config, manager, src);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * @return the shapes of the model's convolutions (stride 2 for the encoder's downsampling, which pads itself)
     */
    public Set<Convs.Signature> convSignatures() {
        Set<Convs.Signature> out = new LinkedHashSet<>();
        parameters.forEach((name, a) -> {
            long[] s = a.getShape().getShape();
            if (name.endsWith(".weight") && s.length == 4) {
                boolean down = name.endsWith(".downsample.conv.weight");
                out.add(new Convs.Signature((int) s[1], (int) s[0], (int) s[2], down ? 2 : 1,
                        down ? 0 : (int) s[2] / 2));
            }
        });
        return out;
    }

    /** @return the channel counts the model's group normalisations see */
    public Set<Integer> normChannels() {
        Set<Integer> out = new java.util.TreeSet<>();
        parameters.forEach((name, a) -> {
            if (NORM_WEIGHT.matcher(name).matches() && a.getShape().dimension() == 1) {
                out.add((int) a.getShape().get(0));
            }
        });
        return out;
    }

    /** Runs the engine's numerical self-check for this model's operations (once per process and shape). */
    private Vqgan checked() {
        KernelCheck.ensure(convSignatures(), normChannels(), VqganConfig.NORM_GROUPS, device());
        return this;
    }

    /**
     * @return every weight by its state-dict name, in construction order (read-only view; the arrays are the
     *     model's own: do not close them)
     */
    public Map<String, NDArray> parameters() {
        return java.util.Collections.unmodifiableMap(parameters);
    }

    /**
     * Every tensor name and shape the config implies, in construction order (for tests and diagnostics; builds a
     * throw-away model on the CPU, so use it with small configs).
     */
    static Map<String, long[]> tensorShapes(VqganConfig config) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            ParamSource src = (name, init, bound, shape) -> {
                shapes.put(name, shape.clone());
                return scratch.zeros(new Shape(shape));
            };
            new Vqgan(config, scratch, src);
        }
        return shapes;
    }

    /** Lightning checkpoints wrap the weights in {@code state_dict.}; accept both forms. */
    private static StateDict unwrap(StateDict sd) {
        boolean wrapped = !sd.names().isEmpty() && sd.names().stream().allMatch(n -> n.startsWith("state_dict."));
        return wrapped ? sd.withPrefix("state_dict.") : sd;
    }

    /**
     * Encodes images to the pre-quantisation latent {@code h = quant_conv(encoder(x))}.
     *
     * @param x (N, in_channels, H, W) in [-1, 1], H and W multiples of {@link #factor()}
     * @return (N, embed_dim, H/f, W/f), owned by {@code x}'s manager
     */
    public NDArray encode(NDArray x) {
        return encode(x, Probe.NONE);
    }

    /** {@link #encode(NDArray)} with a probe on the encoder's intermediate outputs. */
    public NDArray encode(NDArray x, Probe probe) {
        Shape s = x.getShape();
        int f = factor();
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) % f != 0 || s.get(3) % f != 0
                || s.get(2) == 0 || s.get(3) == 0) {
            throw new IllegalArgumentException("encode needs images (N, " + config.inChannels()
                    + ", H, W) with H and W positive multiples of " + f + ", got " + s);
        }
        checkDevice(x);
        NDArray e = encoder.forward(x, probe);
        NDArray h = quantConv.apply(e);
        e.close();
        probe.tap("quant_conv", h);
        return h;
    }

    /**
     * Nearest-neighbour quantisation with a straight-through gradient (what VQGAN-CLIP optimises through). For the
     * Gumbel model it uses {@code quantize.embed.weight}, as VQGAN-CLIP does.
     *
     * @param z (N, embed_dim, H, W)
     * @return owned by {@code z}'s manager
     */
    public Quantized quantize(NDArray z) {
        checkDevice(z);
        return quantizer.quantize(z);
    }

    /**
     * The model's own quantisation of an encoded latent: nearest neighbour for {@code VQModel}, argmax of
     * {@code quantize.proj} logits for {@code GumbelVQ}. No gradient.
     *
     * @param h output of {@link #encode}
     * @return owned by {@code h}'s manager
     */
    public Quantized quantizeEncoded(NDArray h) {
        checkDevice(h);
        if (quantizer instanceof GumbelQuantizer g) {
            quantizer.checkLatent(h);
            return g.encode(h);
        }
        return quantizer.quantize(h);
    }

    /**
     * @param zq (N, embed_dim, h, w) quantised latent, any h and w
     * @return images (N, out_ch, h·f, w·f), nominally in [-1, 1] (not clamped), owned by {@code zq}'s manager
     */
    public NDArray decode(NDArray zq) {
        return decode(zq, Probe.NONE);
    }

    /** {@link #decode(NDArray)} with a probe on the decoder's intermediate outputs. */
    public NDArray decode(NDArray zq, Probe probe) {
        quantizer.checkLatent(zq);
        checkDevice(zq);
        NDArray h = postQuantConv.apply(zq);
        probe.tap("post_quant_conv", h);
        NDArray out = decoder.forward(h, probe);
        h.close();
        return out;
    }

    /** @return the codebook (n_embed, embed_dim), owned by this model: do not close it */
    public NDArray codebook() {
        return quantizer.codebook();
    }

    /** @return the quantizer (a {@link GumbelQuantizer} for Gumbel models) */
    public VectorQuantizer quantizer() {
        return quantizer;
    }

    /** @return the encoder (weights owned by this model) */
    public Encoder encoder() {
        return encoder;
    }

    /** @return the decoder (weights owned by this model) */
    public Decoder decoder() {
        return decoder;
    }

    /** @return pixels per latent cell along each axis, {@code 2^(levels-1)} */
    public int factor() {
        return config.factor();
    }

    /** @return codebook vector length */
    public int embedDim() {
        return config.embedDim();
    }

    /** @return the architecture */
    public VqganConfig config() {
        return config;
    }

    /** @return the device holding the weights */
    public Device device() {
        return manager.getDevice();
    }

    /** @return how many arrays the weights' manager holds (constant after loading; for leak tests) */
    int weightArrayCount() {
        return manager.getManagedArrays().size();
    }

    /** Frees the weights. */
    @Override
    public void close() {
        manager.close();
    }

    private void checkDevice(NDArray x) {
        if (!x.getDevice().equals(manager.getDevice())) {
            throw new IllegalArgumentException("input is on " + x.getDevice() + " but the VQGAN is on "
                    + manager.getDevice());
        }
    }
}
