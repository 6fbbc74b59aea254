package dev.vqclip.models;

import dev.vqclip.engine.io.CountingInputStream;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightFiles;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * The structure checks used for files without a published checksum (files whose SHA-256 is known are skipped: the
 * checksum already proves them; a config is still read when a checkpoint must be checked against it).
 *
 * <p>Parsing loads the whole file into memory (about its size in heap): fine for verification, which is rare.
 *
 * <p>Without a weights loader ({@link #basic()}): a config is a taming yaml with {@code model.params.embed_dim},
 * {@code n_embed} and {@code ddconfig}; a checkpoint or CLIP file starts like a zip archive (torch.save / TorchScript)
 * or a pickle; a vocabulary is a gzip file with CLIP's merge list. With a loader ({@link #withLoader}) the weights
 * are parsed as well and a VQGAN checkpoint must fit its yaml (codebook size and width, channel counts).
 */
public final class StructureChecks implements StructureCheck {
    /** Merges CLIP reads from the vocabulary (lines 1..48894 after the header). */
    static final int CLIP_MERGES = 48894;
    private static final long MAX_VOCAB_BYTES = 64L << 20;
    private static final int MAX_YAML_CHARS = 1 << 20;

    private final Function<Path, StateDict> loader;

    private StructureChecks(Function<Path, StateDict> loader) {
        this.loader = loader;
    }

    /** @return the checks this build uses: basic checks plus parsing with {@link WeightFiles#load} */
    public static StructureCheck standard() {
        return withLoader(WeightFiles::load);
    }

    /** @return header and yaml checks that need no weights loader */
    public static StructureChecks basic() {
        return new StructureChecks(null);
    }

    /** @return the basic checks plus parsing the weights with {@code loader} and checking they fit the config */
    public static StructureChecks withLoader(Function<Path, StateDict> loader) {
        return new StructureChecks(loader);
    }

    @Override
    public void check(ModelEntry entry, Map<ModelFile, Path> files) {
        Map<?, ?> config = null;
        for (Map.Entry<ModelFile, Path> e : files.entrySet()) {
            if (e.getKey().role() == FileRole.CONFIG) {
                config = checkConfig(e.getValue());
            }
        }
        for (Map.Entry<ModelFile, Path> e : files.entrySet()) {
            Path p = e.getValue();
            if (e.getKey().knownSha256().isPresent()) {
                continue; // a matching published checksum says more than any structure check
            }
            switch (e.getKey().role()) {
                case CKPT:
                    checkArchiveOrPickle(p);
                    if (loader != null) {
                        checkVqganFits(p, load(p), config);
                    }
                    break;
                case WEIGHTS:
                    checkArchiveOrPickle(p);
                    if (loader != null) {
                        checkClip(p, load(p));
                    }
                    break;
                case VOCAB:
                    checkVocab(p);
                    break;
                default:
                    break;
            }
        }
    }

    private StateDict load(Path p) {
        try {
            return loader.apply(p);
        } catch (RuntimeException e) {
            throw new ModelException(p + " does not parse as model weights: " + e.getMessage(), e);
        }
    }

    /** @return the parsed yaml after checking it is a taming VQGAN config */
    static Map<?, ?> checkConfig(Path p) {
        LoaderOptions opts = new LoaderOptions();
        opts.setCodePointLimit(MAX_YAML_CHARS);
        opts.setMaxAliasesForCollections(20);
        opts.setAllowDuplicateKeys(false);
        Object doc;
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            doc = new Yaml(new SafeConstructor(opts)).load(r);
        } catch (IOException e) {
            throw new ModelException("cannot read " + p + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ModelException(p + " is not a valid yaml file: " + firstLine(e.getMessage()), e);
        }
        Map<?, ?> params = map(map(map(doc, p, "the document"), p, "").get("model"), p, "model");
        Map<?, ?> pm = map(params.get("params"), p, "model.params");
        positiveInt(pm.get("embed_dim"), p, "model.params.embed_dim");
        positiveInt(pm.get("n_embed"), p, "model.params.n_embed");
        Map<?, ?> dd = map(pm.get("ddconfig"), p, "model.params.ddconfig");
        positiveInt(dd.get("ch"), p, "model.params.ddconfig.ch");
        return map(doc, p, "the document");
    }

    private static Map<?, ?> map(Object o, Path p, String what) {
        if (!(o instanceof Map)) {
            throw new ModelException(p + " is not a taming VQGAN config: " + (what.isEmpty() ? "the document" : what)
                    + " is missing or not a mapping");
        }
        return (Map<?, ?>) o;
    }

    private static int positiveInt(Object o, Path p, String what) {
        if (!(o instanceof Integer) || (Integer) o <= 0) {
            throw new ModelException(p + " is not a taming VQGAN config: " + what + " is missing or not a positive"
                    + " whole number");
        }
        return (Integer) o;
    }

    /** Checks the first bytes: a zip archive (torch.save, TorchScript), a pickle, or safetensors. */
    static void checkArchiveOrPickle(Path p) {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(p)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new ModelException("cannot read " + p + ": " + e.getMessage(), e);
        }
        boolean zip = n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        boolean pickle = n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5;
        boolean safetensors = n >= 8 && isPlausibleSafetensorsHeader(head, p);
        if (!zip && !pickle && !safetensors) {
            if (Downloader.looksLikeHtml(head, n)) {
                throw new ModelException(p + " is a web page, not model weights");
            }
            throw new ModelException(p + " is not a PyTorch checkpoint (neither a zip archive nor a pickle) nor "
                    + "safetensors");
        }
    }

    private static boolean isPlausibleSafetensorsHeader(byte[] head, Path p) {
        long len = 0;
        for (int i = 7; i >= 0; i--) {
            len = (len << 8) | (head[i] & 0xff);
        }
        try {
            return len > 1 && len < 100_000_000 && len + 8 <= Files.size(p);
        } catch (IOException e) {
            return false;
        }
    }

    /** Checks a CLIP BPE vocabulary: gzip, a header line and at least CLIP's 48,894 merges of two symbols. */
    static void checkVocab(Path p) {
        long lines = 0;
        try (InputStream raw = Files.newInputStream(p);
             InputStream gz = new GZIPInputStream(raw);
             BufferedReader r = new BufferedReader(new InputStreamReader(limited(gz), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (lines > 0 && lines <= 1000 && line.split(" ").length != 2) {
                    throw new ModelException(p + " is not a BPE vocabulary: line " + (lines + 1)
                            + " is not a pair of symbols");
                }
                lines++;
            }
        } catch (IOException e) {
            throw new ModelException(p + " is not a gzip-compressed BPE vocabulary: " + e.getMessage(), e);
        }
        if (lines - 1 < CLIP_MERGES) {
            throw new ModelException(p + " has " + Math.max(0, lines - 1) + " merges; CLIP needs " + CLIP_MERGES);
        }
    }

    private static InputStream limited(InputStream in) {
        return new CountingInputStream(in, MAX_VOCAB_BYTES, "decompresses to more than " + MAX_VOCAB_BYTES + " bytes");
    }

    /** Checks that a VQGAN state dict has the codebook and channel counts its yaml describes. */
    static void checkVqganFits(Path ckpt, StateDict sd, Map<?, ?> config) {
        StateDict s = sd.names().stream().anyMatch(n -> n.startsWith("state_dict.")) ? sd.withPrefix("state_dict.")
                : sd;
        String codebook = s.contains("quantize.embedding.weight") ? "quantize.embedding.weight"
                : s.contains("quantize.embed.weight") ? "quantize.embed.weight" : null;
        if (codebook == null) {
            throw new ModelException(ckpt + " is not a VQGAN checkpoint: it has no quantize.embedding.weight");
        }
        if (config == null) {
            return;
        }
        Map<?, ?> pm = (Map<?, ?>) ((Map<?, ?>) config.get("model")).get("params");
        Map<?, ?> dd = (Map<?, ?>) pm.get("ddconfig");
        long nEmbed = ((Number) pm.get("n_embed")).longValue();
        long embedDim = ((Number) pm.get("embed_dim")).longValue();
        fits(ckpt, s, codebook, new long[] {nEmbed, embedDim});
        long ch = ((Number) dd.get("ch")).longValue();
        if (dd.get("in_channels") instanceof Number && s.contains("encoder.conv_in.weight")) {
            fits(ckpt, s, "encoder.conv_in.weight", new long[] {ch, ((Number) dd.get("in_channels")).longValue(), 3, 3});
        }
        if (dd.get("out_ch") instanceof Number && s.contains("decoder.conv_out.weight")) {
            fits(ckpt, s, "decoder.conv_out.weight", new long[] {((Number) dd.get("out_ch")).longValue(), ch, 3, 3});
        }
    }

    private static void fits(Path ckpt, StateDict s, String name, long[] expected) {
        RawTensor t = s.get(name);
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ModelException(ckpt.getFileName() + " does not fit its yaml: " + name + " has shape "
                    + Arrays.toString(t.shape()) + " but the config implies " + Arrays.toString(expected));
        }
    }

    /** Checks that a state dict looks like OpenAI CLIP with a vision transformer. */
    static void checkClip(Path p, StateDict s) {
        for (String n : new String[] {"visual.conv1.weight", "token_embedding.weight", "text_projection",
            "positional_embedding"}) {
            if (!s.contains(n)) {
                throw new ModelException(p + " is not an OpenAI CLIP model: it has no tensor " + n);
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
