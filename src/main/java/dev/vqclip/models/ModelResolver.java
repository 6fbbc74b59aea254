package dev.vqclip.models;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Decides which model files a run uses, from the options {@code --vqgan NAME|FILE}, {@code --clip NAME|FILE},
 * {@code --config FILE} and {@code --vocab FILE}.
 *
 * <ul>
 *   <li>An argument naming an existing file wins: {@code --vqgan my.ckpt} uses that file; its yaml is {@code --config}
 *   or else {@code my.yaml} beside it. {@code --clip my.pt} uses the vocabulary from {@code --vocab} or else the
 *   installed one.</li>
 *   <li>A catalogue name or alias must be installed; otherwise a {@link ModelNotInstalledException} says what is
 *   missing, from where, and how to import it by hand.</li>
 *   <li>With nothing given: the best installed published model (catalogue order: ImageNet f16 16384 first, CLIP
 *   ViT-B/32 first), else the bundled demo models in {@code assets/models/demo/}, announced through the notice
 *   consumer. The assets folder is looked for in the working directory, then beside the jar's folder
 *   ({@code target/../assets}), then at the system property {@value #ASSETS_PROPERTY}.</li>
 * </ul>
 * Reads only; safe on read-only caches.
 */
public final class ModelResolver {
    public static final String ASSETS_PROPERTY = "vqclip.assets";
    public static final String DEMO = "demo";
    private static final Logger LOG = LoggerFactory.getLogger(ModelResolver.class);

    private final Catalogue catalogue;
    private final ModelCache cache;
    private final List<Path> assetDirs;
    private final Consumer<String> notices;

    /**
     * @param assetDirs candidate {@code assets} folders, in order
     * @param notices   receives user-facing notes such as the fallback to the demo model
     */
    public ModelResolver(Catalogue catalogue, ModelCache cache, List<Path> assetDirs, Consumer<String> notices) {
        this.catalogue = catalogue;
        this.cache = cache;
        this.assetDirs = List.copyOf(assetDirs);
        this.notices = notices == null ? LOG::warn : notices;
    }

    /** @return a resolver over the bundled catalogue, the environment's cache and the default asset folders */
    public static ModelResolver standard(Consumer<String> notices) {
        return new ModelResolver(Catalogue.load(), ModelCache.fromEnvironment(), defaultAssetDirs(), notices);
    }

    /** @return the working directory's {@code assets}, {@code target/../assets} beside the code, the property */
    public static List<Path> defaultAssetDirs() {
        List<Path> out = new ArrayList<>();
        out.add(Path.of("assets").toAbsolutePath());
        try {
            CodeSource cs = ModelResolver.class.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) {
                Path loc = Path.of(cs.getLocation().toURI());
                // target/classes or target/vqclip.jar (or lib/x.jar): the folder above holds assets/
                Path parent = loc.getParent();
                if (parent != null && parent.getParent() != null) {
                    out.add(parent.getParent().resolve("assets"));
                }
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            LOG.debug("cannot locate the code's folder", e);
        }
        String prop = System.getProperty(ASSETS_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            out.add(Path.of(prop));
        }
        return out;
    }

    /** @return the first {@code assets/models/demo} folder that exists, if any */
    public Optional<Path> demoDir() {
        return assetDirs.stream().map(a -> a.resolve("models").resolve("demo")).filter(Files::isDirectory)
                .findFirst();
    }

    /**
     * Resolves the command-line choices (each may be {@code null}).
     *
     * @throws ModelNotInstalledException when a named model is not installed
     * @throws ModelException             for unknown names, missing files, or nothing usable at all
     */
    public ResolvedModels resolve(String vqgan, String clip, Path config, Path vocab) {
        requireFileIfGiven(config, "--config");
        requireFileIfGiven(vocab, "--vocab");
        Choice v = resolveVqgan(vqgan, config);
        Choice c = resolveClip(clip, vocab);
        return new ResolvedModels(v.main, v.aux, c.main, c.aux, v.demo || c.demo, v.name, c.name);
    }

    /**
     * A further CLIP named on the command line (a member of an ensemble): its weights and vocabulary.
     *
     * @param weights the weights file
     * @param vocab its BPE vocabulary (an installed model's own, the installed one beside a file, or the demo's)
     * @param name the model's name or the file's name
     */
    public record ResolvedClip(Path weights, Path vocab, String name) {
    }

    /**
     * Resolves one more CLIP, given as an installed model's name (with its own vocabulary), a weights file (with
     * {@code fileVocab}: the run's CLIP vocabulary, which OpenAI's models share), or {@code demo} (the bundled demo
     * CLIP and its vocabulary).
     *
     * @throws ModelException as for {@code --clip}
     */
    public ResolvedClip resolveExtraClip(String arg, Path fileVocab) {
        if (arg == null || arg.isBlank()) {
            throw new ModelException("an ensemble CLIP needs a name or a file");
        }
        if (arg.strip().equals(DEMO)) {
            Path weights = demoFile(DemoModels.CLIP_FILE, "CLIP");
            return new ResolvedClip(weights, demoFile(DemoModels.VOCAB_FILE, "CLIP"), DEMO);
        }
        Choice c = resolveClip(arg.strip(), existingFile(arg.strip()).isPresent() ? fileVocab : null);
        return new ResolvedClip(c.main, c.aux, c.name);
    }

    private static final class Choice {
        final Path main;
        final Path aux;
        final String name;
        final boolean demo;

        Choice(Path main, Path aux, String name, boolean demo) {
            this.main = main;
            this.aux = aux;
            this.name = name;
            this.demo = demo;
        }
    }

    private Choice resolveVqgan(String arg, Path config) {
        if (arg != null && !arg.isBlank()) {
            Optional<Path> file = existingFile(arg);
            if (file.isPresent()) {
                Path ckpt = file.get();
                Path cfg = config != null ? config : siblingYaml(ckpt).orElseThrow(() -> new ModelException(
                        "--vqgan " + ckpt + " needs its taming yaml: pass --config FILE (looked for "
                                + stem(ckpt) + ".yaml beside it)"));
                return new Choice(ckpt, cfg, ckpt.getFileName().toString(), false);
            }
            ModelEntry e = named(arg, ModelKind.VQGAN, "--vqgan");
            return new Choice(cache.fileOf(e, roleFile(e, FileRole.CKPT)),
                    config != null ? config : cache.fileOf(e, roleFile(e, FileRole.CONFIG)), e.name(), false);
        }
        for (ModelEntry e : catalogue.entries(ModelKind.VQGAN)) {
            if (cache.isInstalled(e)) {
                return new Choice(cache.fileOf(e, roleFile(e, FileRole.CKPT)),
                        config != null ? config : cache.fileOf(e, roleFile(e, FileRole.CONFIG)), e.name(), false);
            }
        }
        return demo(ModelKind.VQGAN, "VQGAN", DemoModels.VQGAN_FILE, DemoModels.VQGAN_YAML, config);
    }

    private Choice resolveClip(String arg, Path vocab) {
        if (arg != null && !arg.isBlank()) {
            Optional<Path> file = existingFile(arg);
            if (file.isPresent()) {
                Path weights = file.get();
                Path v = vocab != null ? vocab : installedVocab().orElseThrow(() -> new ModelException(
                        "--clip " + weights + " needs CLIP's BPE vocabulary: pass --vocab FILE or install it with "
                                + "vqclip models download " + firstName(ModelKind.VOCAB)));
                return new Choice(weights, v, weights.getFileName().toString(), false);
            }
            ModelEntry e = named(arg, ModelKind.CLIP, "--clip");
            return new Choice(cache.fileOf(e, roleFile(e, FileRole.WEIGHTS)), vocab != null ? vocab
                    : requiredVocab(e), e.name(), false);
        }
        for (ModelEntry e : catalogue.entries(ModelKind.CLIP)) {
            if (cache.isInstalled(e)) {
                // an installed CLIP without its vocabulary is a half-finished install: say so, do not fall back
                Path v = vocab != null ? vocab : requiredVocab(e);
                return new Choice(cache.fileOf(e, roleFile(e, FileRole.WEIGHTS)), v, e.name(), false);
            }
        }
        return demo(ModelKind.CLIP, "CLIP", DemoModels.CLIP_FILE, DemoModels.VOCAB_FILE, vocab);
    }

    /**
     * The bundled demo model of {@code kind} (its main file and, unless {@code given}, its second file: the VQGAN's
     * config or CLIP's vocabulary), with a notice that it is used because none is installed.
     */
    private Choice demo(ModelKind kind, String label, String mainFile, String secondFile, Path given) {
        Path demo = demoFile(mainFile, label);
        Path second = given != null ? given : demoFile(secondFile, label);
        notices.accept("No " + label + " model is installed in " + cache.root() + "; using the bundled demo " + label
                + " (" + demo.getParent() + "), which is tiny and meant for trying the program. For real images: "
                + "vqclip models download " + firstName(kind));
        return new Choice(demo, second, DEMO, true);
    }

    private ModelEntry named(String arg, ModelKind kind, String option) {
        Optional<ModelEntry> found = catalogue.find(arg);
        if (found.isEmpty()) {
            if (looksLikePath(arg)) {
                throw new ModelException(option + " " + arg + ": no such file");
            }
            throw new ModelException(option + " " + arg + ": not a file and not a known model; known "
                    + kind.id() + " models: " + catalogue.entries(kind).stream().map(ModelEntry::name)
                    .collect(Collectors.joining(", ")));
        }
        ModelEntry e = found.get();
        if (e.kind() != kind) {
            throw new ModelException(option + " " + arg + ": " + e.name() + " is a " + e.kind().id() + " model, not "
                    + kind.id());
        }
        if (!cache.isInstalled(e)) {
            throw new ModelNotInstalledException(e, cache);
        }
        return e;
    }

    private Path requiredVocab(ModelEntry clip) {
        for (String r : clip.requires()) {
            ModelEntry req = catalogue.require(r);
            if (req.kind() == ModelKind.VOCAB) {
                if (!cache.isInstalled(req)) {
                    throw new ModelNotInstalledException(req, cache);
                }
                return cache.fileOf(req, roleFile(req, FileRole.VOCAB));
            }
        }
        return installedVocab().orElseThrow(() -> new ModelException(clip.name()
                + " needs CLIP's BPE vocabulary: pass --vocab FILE or run vqclip models download "
                + firstName(ModelKind.VOCAB)));
    }

    private Optional<Path> installedVocab() {
        return catalogue.entries(ModelKind.VOCAB).stream().filter(cache::isInstalled).findFirst()
                .map(e -> cache.fileOf(e, roleFile(e, FileRole.VOCAB)));
    }

    private static ModelFile roleFile(ModelEntry e, FileRole role) {
        return e.file(role).orElseThrow(() -> new ModelException("catalogue entry " + e.name() + " has no "
                + role.id() + " file"));
    }

    private Path demoFile(String name, String what) {
        Optional<Path> dir = demoDir();
        if (dir.isEmpty()) {
            throw new ModelException("no " + what + " model to use: none is installed in " + cache.root()
                    + " and the bundled demo models were not found (looked for models/demo in "
                    + assetDirs.stream().map(Path::toString).collect(Collectors.joining(", "))
                    + "). Install one with: vqclip models download " + firstName(
                            what.equals("VQGAN") ? ModelKind.VQGAN : ModelKind.CLIP)
                    + ", or pass --" + what.toLowerCase(Locale.ROOT) + " FILE");
        }
        Path p = dir.get().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new ModelException("the bundled demo model is incomplete: " + p + " is missing");
        }
        return p;
    }

    private String firstName(ModelKind kind) {
        return catalogue.entries(kind).stream().map(ModelEntry::name).findFirst().orElse("NAME");
    }

    private static Optional<Path> existingFile(String arg) {
        try {
            Path p = Path.of(arg);
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static boolean looksLikePath(String arg) {
        String a = arg.toLowerCase(Locale.ROOT);
        return a.contains("/") || a.contains("\\") || a.endsWith(".ckpt") || a.endsWith(".pt")
                || a.endsWith(".pth") || a.endsWith(".safetensors") || a.endsWith(".yaml");
    }

    private static void requireFileIfGiven(Path p, String option) {
        if (p != null && !Files.isRegularFile(p)) {
            throw new ModelException(option + " " + p + ": no such file");
        }
    }

    private static Optional<Path> siblingYaml(Path ckpt) {
        for (String ext : new String[] {".yaml", ".yml"}) {
            Path y = ckpt.resolveSibling(stem(ckpt) + ext);
            if (Files.isRegularFile(y)) {
                return Optional.of(y);
            }
        }
        return Optional.empty();
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot <= 0 ? n : n.substring(0, dot);
    }
}
