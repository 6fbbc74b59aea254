package dev.vqclip.engine.vqgan;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The architecture of a taming-transformers VQGAN, read from its training yaml ({@code model.target},
 * {@code model.params.embed_dim}, {@code n_embed} and {@code ddconfig}); {@code lossconfig} and {@code data} are
 * ignored.
 *
 * @param source where the config came from (file name or built-in name), used in error messages
 * @param variant plain vector quantisation or Gumbel
 * @param embedDim codebook vector size ({@code embed_dim})
 * @param nEmbed codebook size ({@code n_embed})
 * @param doubleZ {@code ddconfig.double_z}
 * @param zChannels {@code ddconfig.z_channels}
 * @param resolution {@code ddconfig.resolution}: the training size, which decides where attention sits
 * @param inChannels {@code ddconfig.in_channels}
 * @param outChannels {@code ddconfig.out_ch}
 * @param ch {@code ddconfig.ch}: base channel count
 * @param chMult {@code ddconfig.ch_mult}: channel multiplier per level
 * @param numResBlocks {@code ddconfig.num_res_blocks}
 * @param attnResolutions {@code ddconfig.attn_resolutions}
 * @param dropout {@code ddconfig.dropout} (inference ignores it)
 */
public record VqganConfig(String source, Variant variant, int embedDim, int nEmbed, boolean doubleZ, int zChannels,
        int resolution, int inChannels, int outChannels, int ch, List<Integer> chMult, int numResBlocks,
        List<Integer> attnResolutions, double dropout) {

    /** Normalisation groups of taming's {@code Normalize}. */
    public static final int NORM_GROUPS = 32;

    /** Names of the configs shipped as resources, for {@link #builtin(String)}. */
    public static final List<String> BUILTIN = List.of("vqgan_imagenet_f16_16384", "vqgan_imagenet_f16_1024",
            "vqgan_gumbel_f8_8192");

    /** Which quantizer the model uses. */
    public enum Variant {
        /** {@code taming.models.vqgan.VQModel} with {@code VectorQuantizer2}; codebook {@code quantize.embedding}. */
        VQ,
        /** {@code taming.models.vqgan.GumbelVQ}: codebook {@code quantize.embed}, logits {@code quantize.proj}. */
        GUMBEL
    }

    /** Validates the values; throws {@link VqganConfigException} naming the source and the key. */
    public VqganConfig {
        chMult = List.copyOf(chMult);
        attnResolutions = List.copyOf(attnResolutions);
        positive(source, "model.params.embed_dim", embedDim);
        positive(source, "model.params.n_embed", nEmbed);
        positive(source, "model.params.ddconfig.z_channels", zChannels);
        positive(source, "model.params.ddconfig.resolution", resolution);
        positive(source, "model.params.ddconfig.in_channels", inChannels);
        positive(source, "model.params.ddconfig.out_ch", outChannels);
        positive(source, "model.params.ddconfig.ch", ch);
        positive(source, "model.params.ddconfig.num_res_blocks", numResBlocks);
        if (chMult.isEmpty()) {
            throw new VqganConfigException(source + ": model.params.ddconfig.ch_mult is empty");
        }
        for (int m : chMult) {
            positive(source, "model.params.ddconfig.ch_mult", m);
            if ((long) ch * m % NORM_GROUPS != 0) {
                throw new VqganConfigException(source + ": model.params.ddconfig.ch " + ch + " × ch_mult " + m
                        + " is not a multiple of the " + NORM_GROUPS + " normalisation groups");
            }
        }
        if (chMult.size() > 12) {
            throw new VqganConfigException(source + ": model.params.ddconfig.ch_mult has " + chMult.size()
                    + " levels; at most 12 are supported");
        }
        if (doubleZ) {
            throw new VqganConfigException(source + ": model.params.ddconfig.double_z is true, but a VQGAN's "
                    + "quant_conv takes z_channels inputs; only double_z: false is supported");
        }
        if (variant == Variant.GUMBEL && embedDim != zChannels) {
            throw new VqganConfigException(source + ": GumbelVQ applies quantize.proj (z_channels " + zChannels
                    + " inputs) to the embed_dim " + embedDim + " latent; they must be equal");
        }
    }

    /** @return the number of resolution levels ({@code ch_mult} length) */
    public int levels() {
        return chMult.size();
    }

    /** @return the downsampling factor {@code 2^(levels-1)}: pixels per latent cell along each axis */
    public int factor() {
        return 1 << (levels() - 1);
    }

    /** @return channels at level {@code i}: {@code ch · ch_mult[i]} */
    public int channels(int level) {
        return ch * chMult.get(level);
    }

    /** @return whether a level whose config resolution is {@code res} has attention blocks */
    public boolean attentionAt(int res) {
        return attnResolutions.contains(res);
    }

    /**
     * Reads a taming yaml.
     *
     * @throws VqganConfigException when the file is unreadable, not yaml, or lacks or mistypes a key
     */
    public static VqganConfig load(Path yaml) {
        String text;
        try {
            text = Files.readString(yaml, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new VqganConfigException(yaml + ": cannot read the config: " + e.getMessage(), e);
        }
        return parse(text, yaml.toString());
    }

    /**
     * Loads a config shipped with the application.
     *
     * @param name one of {@link #BUILTIN}, with or without {@code .yaml}
     */
    public static VqganConfig builtin(String name) {
        String base = name.endsWith(".yaml") ? name.substring(0, name.length() - 5) : name;
        if (!BUILTIN.contains(base)) {
            throw new VqganConfigException("no built-in VQGAN config named '" + name + "'; known: " + BUILTIN);
        }
        try (InputStream in = VqganConfig.class.getResourceAsStream("configs/" + base + ".yaml")) {
            if (in == null) {
                throw new VqganConfigException("built-in config " + base + " is missing from the application");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), base);
        } catch (IOException e) {
            throw new VqganConfigException("cannot read built-in config " + base + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses yaml text in taming's layout.
     *
     * @param source a name for error messages
     */
    public static VqganConfig parse(String yamlText, String source) {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            // taming configs use no aliases; aliases to lists build a 2^n graph whose hash (as a key) takes seconds:
            // 25 levels from 50 aliases took 3 s, 5 levels from 10 take nothing
            options.setMaxAliasesForCollections(10);
            options.setCodePointLimit(1 << 20);
            root = new Yaml(new SafeConstructor(options)).load(yamlText);
        } catch (YAMLException e) {
            throw new VqganConfigException(source + ": not valid yaml: " + firstLine(e.getMessage()), e);
        }
        Map<?, ?> top = asMap(root, source, "(top level)");
        Map<?, ?> model = map(top, source, "model");
        Object target = model.get("target");
        if (!(target instanceof String t)) {
            throw new VqganConfigException(source + ": model.target is " + describe(target)
                    + "; expected taming.models.vqgan.VQModel or GumbelVQ");
        }
        Variant variant = switch (t) {
            case "taming.models.vqgan.VQModel" -> Variant.VQ;
            case "taming.models.vqgan.GumbelVQ" -> Variant.GUMBEL;
            default -> throw new VqganConfigException(source + ": model.target " + t
                    + " is not supported; expected taming.models.vqgan.VQModel or taming.models.vqgan.GumbelVQ");
        };
        Map<?, ?> params = map(model, source, "model.params", "params");
        Map<?, ?> dd = map(params, source, "model.params.ddconfig", "ddconfig");
        String p = "model.params.";
        String d = "model.params.ddconfig.";
        return new VqganConfig(source, variant,
                integer(params, source, p, "embed_dim"),
                integer(params, source, p, "n_embed"),
                bool(dd, source, d, "double_z"),
                integer(dd, source, d, "z_channels"),
                integer(dd, source, d, "resolution"),
                integer(dd, source, d, "in_channels"),
                integer(dd, source, d, "out_ch"),
                integer(dd, source, d, "ch"),
                intList(dd, source, d, "ch_mult"),
                integer(dd, source, d, "num_res_blocks"),
                intList(dd, source, d, "attn_resolutions"),
                number(dd, source, d, "dropout"));
    }

    private static Map<?, ?> map(Map<?, ?> parent, String source, String key) {
        return map(parent, source, key, key);
    }

    private static Map<?, ?> map(Map<?, ?> parent, String source, String path, String key) {
        return asMap(require(parent, source, path, key), source, path);
    }

    private static Map<?, ?> asMap(Object o, String source, String path) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new VqganConfigException(source + ": " + path + " is " + describe(o) + "; expected a mapping");
        }
        return m;
    }

    private static Object require(Map<?, ?> parent, String source, String path, String key) {
        if (!parent.containsKey(key) || parent.get(key) == null) {
            throw new VqganConfigException(source + ": missing key " + path);
        }
        return parent.get(key);
    }

    private static int integer(Map<?, ?> parent, String source, String prefix, String key) {
        Object o = require(parent, source, prefix + key, key);
        return toInt(o, source, prefix + key);
    }

    private static int toInt(Object o, String source, String path) {
        if (o instanceof Integer i) {
            return i;
        }
        if (o instanceof Long || o instanceof java.math.BigInteger) {
            throw new VqganConfigException(source + ": " + path + " = " + o + " is out of range");
        }
        throw new VqganConfigException(source + ": " + path + " is " + describe(o) + "; expected an integer");
    }

    private static boolean bool(Map<?, ?> parent, String source, String prefix, String key) {
        Object o = require(parent, source, prefix + key, key);
        if (o instanceof Boolean b) {
            return b;
        }
        throw new VqganConfigException(source + ": " + prefix + key + " is " + describe(o)
                + "; expected true or false");
    }

    private static double number(Map<?, ?> parent, String source, String prefix, String key) {
        Object o = require(parent, source, prefix + key, key);
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        throw new VqganConfigException(source + ": " + prefix + key + " is " + describe(o) + "; expected a number");
    }

    private static List<Integer> intList(Map<?, ?> parent, String source, String prefix, String key) {
        Object o = require(parent, source, prefix + key, key);
        if (!(o instanceof List<?> list)) {
            throw new VqganConfigException(source + ": " + prefix + key + " is " + describe(o)
                    + "; expected a list of integers");
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(toInt(list.get(i), source, prefix + key + "[" + i + "]"));
        }
        return Collections.unmodifiableList(out);
    }

    private static String describe(Object o) {
        if (o == null) {
            return "missing";
        }
        String kind = o instanceof Map ? "a mapping" : o instanceof List ? "a list" : o instanceof String
                ? "the text '" + o + "'" : o.getClass().getSimpleName() + " " + o;
        return kind;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void positive(String source, String key, int v) {
        if (v <= 0) {
            throw new VqganConfigException(source + ": " + key + " must be positive, got " + v);
        }
    }
}
