package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.run.ClipGuide;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.models.FileRole;
import dev.vqclip.models.Hashing;
import dev.vqclip.models.ModelException;
import dev.vqclip.models.ModelLookup;
import dev.vqclip.models.ModelResolver;
import dev.vqclip.models.ResolvedModels;
import dev.vqclip.session.RunFile;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model options every command that runs a model shares. Add to a command with
 * {@code @CommandLine.Mixin ModelOptions models;} and call {@link #resolve(PrintWriter)} in {@code call()}.
 */
public final class ModelOptions {
    @Option(names = "--vqgan", paramLabel = "NAME|FILE",
            description = "VQGAN: an installed model's name (see vqclip models list) or a checkpoint file. "
                    + "Default: the best installed one, else the bundled demo model.")
    String vqgan;

    @Option(names = "--clip", paramLabel = "NAME|FILE",
            description = "CLIP: an installed model's name (e.g. ViT-B/32) or a weights file. Default: the best "
                    + "installed one, else the bundled demo model.")
    String clip;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The VQGAN's taming yaml (default: the model's own, or FILE.yaml beside --vqgan FILE).")
    Path config;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "CLIP's BPE vocabulary (default: the installed bpe_simple_vocab_16e6).")
    Path vocab;

    @Option(names = "--device", defaultValue = "auto",
            description = "auto, cpu, gpu, gpu:N or mps (default ${DEFAULT-VALUE}: a CUDA GPU when DJL finds one; mps is"
                    + " Apple silicon's GPU; a GPU needs vqclip runtime install cuda, see vqclip doctor).")
    String device = "auto";

    @Option(names = "--memory-limit", paramLabel = "SIZE",
            description = "Memory a run may use, e.g. 6g or 512m (default: what the system has available plus what "
                    + "this process holds; on a GPU its free memory). A run that would need more is refused before it "
                    + "starts, naming the largest size and cutout count that fit.")
    String memoryLimit;

    @Option(names = "--also-clip", paramLabel = "NAME|FILE[:WEIGHT]",
            description = "Guide with a further CLIP as well (an ensemble, e.g. --clip ViT-B/32 --also-clip "
                    + "ViT-B/16:0.5); repeatable. The loss is the sum over the CLIPs of weight x that CLIP's loss "
                    + "(weight 1 unless given; CLIPs of one input size share the cutouts). 'demo' names the bundled "
                    + "demo CLIP. Saved runs record the ensemble; --resume asks for the same one.")
    List<String> alsoClip = new ArrayList<>();

    @Option(names = "--clip-weight", paramLabel = "W", defaultValue = "1",
            description = "The weight of --clip's loss in an ensemble (default ${DEFAULT-VALUE}).")
    double clipWeight = 1;

    /** The order of the model files in runs: VQGAN checkpoint, its yaml, CLIP weights, CLIP's vocabulary. */
    private static final String[] ROLES = {"vqgan", "vqgan-config", "clip", "clip-vocab"};
    private static final FileRole[] FILE_ROLES = {FileRole.CKPT, FileRole.CONFIG, FileRole.WEIGHTS, FileRole.VOCAB};
    private static final String[] LABELS = {"VQGAN checkpoint (--vqgan)", "VQGAN config (--config)",
        "CLIP weights (--clip)", "CLIP vocabulary (--vocab)"};

    private ResolvedModels resolved;
    /** the further CLIPs {@link #load} loaded, for the run file */
    private final List<LoadedClip> loadedEnsemble = new ArrayList<>();

    private record LoadedClip(Path path, double weight) {
    }
    private final Map<Path, String> hashes = new HashMap<>();

    /**
     * Resolves the options against the catalogue, the cache and the demo assets; notes such as the fallback to the
     * demo models are printed to {@code err}.
     *
     * @throws dev.vqclip.models.ModelException with a user-facing message when a model is missing
     */
    public ResolvedModels resolve(PrintWriter err) {
        if (resolved == null) {
            resolved = ModelResolver.standard(msg -> {
                err.println("note: " + msg);
                err.flush();
            }).resolve(vqgan, clip, config, vocab);
        }
        return resolved;
    }

    /** Resolves and loads the chosen models on the chosen device; the caller closes them. */
    public RunModels load(java.io.PrintStream log) throws java.io.IOException {
        PrintWriter err = new PrintWriter(log, true);
        ResolvedModels rm = resolve(err);
        Device d = Devices.parse(device);
        if (rm.demo()) {
            err.println("using the bundled DEMO models (a tiny VQGAN and CLIP trained on a world of coloured shapes);"
                    + " for real images install published ones: vqclip models list");
        }
        RunModels base = RunModels.load(rm.vqganCkpt(), rm.vqganConfig(), rm.clipWeights(), rm.clipVocab(), d,
                rm.describe(dev.vqclip.engine.Devices.describe(d)), rm.demo(), (f, msg) -> { });
        if (alsoClip.isEmpty() && clipWeight == 1) {
            return base;
        }
        List<ClipGuide> more = new ArrayList<>();
        try {
            if (!Double.isFinite(clipWeight)) {
                throw new IllegalArgumentException("--clip-weight must be a finite number, got " + clipWeight);
            }
            ModelResolver resolver = ModelResolver.standard(msg -> err.println("note: " + msg));
            for (String spec : alsoClip) {
                EnsembleSpec e = EnsembleSpec.parse(spec);
                ModelResolver.ResolvedClip c = resolver.resolveExtraClip(e.model(), rm.clipVocab());
                Clip clip = Clip.load(c.weights(), d);
                try {
                    ClipTokenizer tok = c.vocab().equals(rm.clipVocab()) ? base.tokenizer() : ClipTokenizer.load(c.vocab());
                    more.add(new ClipGuide(clip, tok, e.weight(), c.name()));
                loadedEnsemble.add(new LoadedClip(c.weights().toAbsolutePath().normalize(), e.weight()));
                } catch (java.io.IOException | RuntimeException ex) {
                    clip.close();
                    throw ex;
                }
            }
            return base.withEnsemble(clipWeight, more);
        } catch (java.io.IOException | RuntimeException ex) {
            more.forEach(g -> g.clip().close());
            base.close();
            throw ex;
        }
    }

    /** @return the CLIP ensemble {@link #load} set up, for a run file; null for one CLIP of weight 1 */
    public RunFile.Ensemble ensembleRecord() throws java.io.IOException {
        if (loadedEnsemble.isEmpty() && clipWeight == 1) {
            return null;
        }
        List<RunFile.EnsembleClip> clips = new ArrayList<>();
        for (LoadedClip c : loadedEnsemble) {
            clips.add(new RunFile.EnsembleClip(c.path().toString(), sha(c.path()), c.weight()));
        }
        return new RunFile.Ensemble(clipWeight, clips);
    }

    /**
     * Checks, after {@link #load}, that a resumed run gets the CLIP ensemble it was saved with, so that it goes on as
     * it would have: the same further CLIPs (by SHA-256) with the same weights. A run saved with one CLIP may be
     * resumed with an ensemble (a deliberate change, like new prompts).
     *
     * @throws IllegalArgumentException naming the options that resume it exactly
     */
    public void requireSavedEnsemble(RunFile.Ensemble saved, Path runFile) throws java.io.IOException {
        if (saved == null) {
            return;
        }
        RunFile.Ensemble now = ensembleRecord();
        boolean same = now != null && now.clipWeight() == saved.clipWeight()
                && now.clips().size() == saved.clips().size();
        for (int i = 0; same && i < saved.clips().size(); i++) {
            same = now.clips().get(i).sha256().equals(saved.clips().get(i).sha256())
                    && now.clips().get(i).weight() == saved.clips().get(i).weight();
        }
        if (!same) {
            StringBuilder opts = new StringBuilder("--clip-weight " + saved.clipWeight());
            for (RunFile.EnsembleClip c : saved.clips()) {
                opts.append(" --also-clip ").append(c.path()).append(':').append(c.weight());
            }
            throw new IllegalArgumentException(runFile + " was guided by a CLIP ensemble; resume it with the same "
                    + "CLIPs and weights: " + opts + " (the files by SHA-256: " + saved.clips().stream()
                    .map(RunFile.EnsembleClip::sha256).collect(java.util.stream.Collectors.joining(", ")) + ")");
        }
    }

    /**
     * One {@code --also-clip} value: a model name or file, then optionally {@code :WEIGHT} (the text after the last
     * colon, when it is a number: a Windows path's drive colon is not a weight).
     */
    record EnsembleSpec(String model, double weight) {
        static EnsembleSpec parse(String spec) {
            String s = spec == null ? "" : spec.strip();
            int colon = s.lastIndexOf(':');
            if (colon > 0) {
                String tail = s.substring(colon + 1).strip();
                try {
                    double w = Double.parseDouble(tail);
                    if (!Double.isFinite(w)) {
                        throw new IllegalArgumentException("--also-clip " + spec + ": the weight must be finite");
                    }
                    return new EnsembleSpec(s.substring(0, colon).strip(), w);
                } catch (NumberFormatException e) {
                    // not a weight: part of the name or path
                }
            }
            if (s.isEmpty()) {
                throw new IllegalArgumentException("--also-clip needs a CLIP model's name or file");
            }
            return new EnsembleSpec(s, 1.0);
        }
    }

    /** @return each resolved model file's name and sha256, recorded in saved runs */
    public java.util.Map<String, String> fileHashes() throws java.io.IOException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (resolved != null) {
            for (Path p : files(resolved)) {
                out.put(p.getFileName().toString(), sha(p));
            }
        }
        return out;
    }

    /** @return each resolved model file's role, absolute path, sha256 and size, recorded in saved runs */
    public List<RunFile.ModelRecord> fileRecords() throws java.io.IOException {
        List<RunFile.ModelRecord> out = new ArrayList<>();
        if (resolved != null) {
            Path[] files = files(resolved);
            for (int i = 0; i < files.length; i++) {
                Path p = files[i].toAbsolutePath().normalize();
                out.add(new RunFile.ModelRecord(ROLES[i], p.toString(), sha(p), Files.size(p)));
            }
        }
        return out;
    }

    /** @return whether any of --vqgan, --clip, --config, --vocab was given */
    public boolean anyGiven() {
        return vqgan != null || clip != null || config != null || vocab != null;
    }

    /**
     * Chooses the model files a saved run was made with, found by their SHA-256 (see {@link ModelLookup}): used by
     * {@code --resume} when no model option is given. Does nothing for a run that recorded no model files.
     *
     * @throws ModelException naming each file that is not found: its role, name, recorded path, SHA-256 and size,
     *                        what became of it, and how to pass it
     */
    public void useRecorded(RunFile.Loaded run, Path runFile, PrintWriter err) {
        List<ModelLookup.Wanted> wanted = new ArrayList<>();
        if (!run.modelFiles().isEmpty()) {
            for (RunFile.ModelRecord r : run.modelFiles()) {
                int i = Arrays.asList(ROLES).indexOf(r.role());
                Path p = Path.of(r.path());
                wanted.add(new ModelLookup.Wanted(i < 0 ? null : FILE_ROLES[i], p.getFileName().toString(), p,
                        r.sha256(), r.size()));
            }
        } else {
            // written before paths were recorded: only names and checksums
            run.models().forEach((name, sha) -> wanted.add(new ModelLookup.Wanted(null, name, null, sha, null)));
        }
        if (wanted.isEmpty()) {
            return;
        }
        ModelLookup lookup = ModelLookup.standard();
        List<ModelLookup.Result> results = lookup.find(wanted);
        Map<FileRole, ModelLookup.Found> byRole = new EnumMap<>(FileRole.class);
        List<ModelLookup.Result> missing = new ArrayList<>();
        for (ModelLookup.Result r : results) {
            if (r.found().isPresent() && r.found().get().role() != null) {
                byRole.putIfAbsent(r.found().get().role(), r.found().get());
            } else {
                missing.add(r);
            }
        }
        if (!missing.isEmpty() || byRole.size() < FILE_ROLES.length) {
            throw new ModelException(notFound(runFile, missing, byRole, lookup));
        }
        ModelLookup.Found v = byRole.get(FileRole.CKPT);
        ModelLookup.Found c = byRole.get(FileRole.WEIGHTS);
        boolean demo = byRole.values().stream().anyMatch(ModelLookup.Found::demo);
        resolved = new ResolvedModels(v.path(), byRole.get(FileRole.CONFIG).path(), c.path(),
                byRole.get(FileRole.VOCAB).path(), demo, name(v), name(c));
        StringBuilder note = new StringBuilder("note: resuming " + runFile.getFileName()
                + " with the model files it was made with (found by SHA-256):");
        for (FileRole role : FILE_ROLES) {
            ModelLookup.Found f = byRole.get(role);
            note.append("\n  ").append(LABELS[Arrays.asList(FILE_ROLES).indexOf(role)]).append(": ").append(f.path())
                    .append(f.where().equals(ModelResolver.DEMO) ? " (bundled demo model)"
                            : f.where().startsWith("where ") ? "" : " (installed model " + f.where() + ")");
        }
        err.println(note);
        err.flush();
    }

    private static String name(ModelLookup.Found f) {
        return f.where().startsWith("where ") ? f.path().getFileName().toString() : f.where();
    }

    private static String notFound(Path runFile, List<ModelLookup.Result> missing,
                                   Map<FileRole, ModelLookup.Found> found, ModelLookup lookup) {
        StringBuilder m = new StringBuilder(runFile + " was made with model files that are no longer where the run "
                + "found them, and no file with the same SHA-256 is installed in " + lookup.cache().root()
                + lookup.demoDir().map(d -> " or among the bundled demo models in " + d).orElse("")
                + ". It needs:");
        for (ModelLookup.Result r : missing) {
            ModelLookup.Wanted w = r.wanted();
            m.append("\n  ").append(w.role() == null ? w.fileName()
                    : LABELS[Arrays.asList(FILE_ROLES).indexOf(w.role())] + ": " + (w.path() != null ? w.path()
                    : w.fileName()));
            m.append(" (SHA-256 ").append(w.sha256());
            if (w.size() != null) {
                m.append(", ").append(w.size()).append(" bytes");
            }
            m.append(")");
            if (r.why() != null) {
                m.append(": ").append(r.why());
            }
        }
        for (int i = 0; i < FILE_ROLES.length; i++) {
            FileRole role = FILE_ROLES[i];
            if (!found.containsKey(role) && missing.stream().noneMatch(r -> r.wanted().role() == role)) {
                m.append("\n  (no file found for the ").append(LABELS[i]).append(")");
            }
        }
        m.append("\nPut them back, install them (vqclip models import FILE... --as NAME), or name the files to use: "
                + "vqclip generate --resume ").append(runFile)
                .append(" --vqgan FILE --config FILE --clip FILE --vocab FILE");
        return m.toString();
    }

    private Path[] files(ResolvedModels rm) {
        return new Path[] {rm.vqganCkpt(), rm.vqganConfig(), rm.clipWeights(), rm.clipVocab()};
    }

    private String sha(Path p) throws java.io.IOException {
        Path key = p.toAbsolutePath().normalize();
        String s = hashes.get(key);
        if (s == null) {
            s = Hashing.sha256(key);
            hashes.put(key, s);
        }
        return s;
    }

    public String device() {
        return device;
    }

    public String vqgan() {
        return vqgan;
    }

    public String clip() {
        return clip;
    }

    public Path config() {
        return config;
    }

    public Path vocab() {
        return vocab;
    }
}
