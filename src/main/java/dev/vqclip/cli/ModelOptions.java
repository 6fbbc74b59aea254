package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.models.Hashing;

import dev.vqclip.models.ModelResolver;
import dev.vqclip.models.ResolvedModels;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

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
            description = "auto, cpu, gpu or gpu:N (default ${DEFAULT-VALUE}: a CUDA GPU when DJL finds one).")
    String device = "auto";

    private ResolvedModels resolved;

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
        return RunModels.load(rm.vqganCkpt(), rm.vqganConfig(), rm.clipWeights(), rm.clipVocab(), d,
                describe(rm, d), rm.demo(), (f, msg) -> { });
    }

    /** @return e.g. "DEMO models: VQGAN demo + CLIP demo on CPU" */
    public static String describe(ResolvedModels rm, Device d) {
        return (rm.demo() ? "DEMO models: " : "") + "VQGAN " + rm.vqganName() + " + CLIP " + rm.clipName() + " on "
                + Devices.describe(d);
    }

    /** @return each resolved model file's name and sha256, recorded in saved runs */
    public java.util.Map<String, String> fileHashes() throws java.io.IOException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (resolved != null) {
            for (Path p : new Path[] {resolved.vqganCkpt(), resolved.vqganConfig(), resolved.clipWeights(),
                resolved.clipVocab()}) {
                out.put(p.getFileName().toString(), Hashing.sha256(p));
            }
        }
        return out;
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
