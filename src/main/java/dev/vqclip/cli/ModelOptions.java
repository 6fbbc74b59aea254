package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.models.Hashing;
import dev.vqclip.models.ModelResolver;
import dev.vqclip.models.ResolvedModels;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Model selection shared by the commands that run the models: {@code --vqgan --config --clip --vocab --device}. */
public final class ModelOptions {
    @Option(names = "--vqgan", paramLabel = "NAME|FILE", description = "VQGAN: an installed model's name or a checkpoint file (default: the best installed, else the bundled demo model).")
    String vqgan;

    @Option(names = "--config", paramLabel = "YAML", description = "The VQGAN's taming yaml (with a checkpoint file).")
    Path config;

    @Option(names = "--clip", paramLabel = "NAME|FILE", description = "CLIP: an installed model's name or a .pt/.safetensors file.")
    String clip;

    @Option(names = "--vocab", paramLabel = "FILE", description = "CLIP's BPE vocabulary (bpe_simple_vocab_16e6.txt.gz).")
    Path vocab;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N (default ${DEFAULT-VALUE}: a CUDA GPU when there is one).")
    String device = "auto";

    private ResolvedModels resolved;

    /** @return the files chosen by the options (resolving once) */
    public ResolvedModels resolve(PrintStream log) {
        if (resolved == null) {
            resolved = ModelResolver.standard(log::println).resolve(vqgan, clip, config, vocab);
        }
        return resolved;
    }

    /** Loads the chosen models on the chosen device; the caller closes them. */
    public RunModels load(PrintStream log) throws IOException {
        ResolvedModels rm = resolve(log);
        Device d = Devices.parse(device);
        if (rm.demo()) {
            log.println("using the bundled DEMO models (a tiny VQGAN and CLIP trained on a world of coloured shapes);"
                    + " install real ones with: vqclip models download vqgan_imagenet_f16_16384 (see vqclip models list)");
        }
        Vqgan vq = Vqgan.load(rm.vqganCkpt(), rm.vqganConfig(), d);
        try {
            Clip c = Clip.load(rm.clipWeights(), d);
            try {
                ClipTokenizer tok = ClipTokenizer.load(rm.clipVocab());
                String desc = (rm.demo() ? "DEMO " : "") + "VQGAN " + rm.vqganName() + " + CLIP " + rm.clipName() + ", "
                        + Devices.describe(d);
                return new RunModels(vq, c, tok, d, desc, rm.demo());
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            vq.close();
            throw e;
        }
    }

    /** @return each model file's name and sha256, for a saved run's record of what made it */
    public Map<String, String> fileHashes() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (resolved != null) {
            for (Path p : new Path[] {resolved.vqganCkpt(), resolved.vqganConfig(), resolved.clipWeights(),
                resolved.clipVocab()}) {
                out.put(p.getFileName().toString(), Hashing.sha256(p));
            }
        }
        return out;
    }
}
