package dev.vqclip.cli;

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

    /**
     * Resolves the options against the catalogue, the cache and the demo assets; notes such as the fallback to the
     * demo models are printed to {@code err}.
     *
     * @throws dev.vqclip.models.ModelException with a user-facing message when a model is missing
     */
    public ResolvedModels resolve(PrintWriter err) {
        return ModelResolver.standard(msg -> {
            err.println("note: " + msg);
            err.flush();
        }).resolve(vqgan, clip, config, vocab);
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
