package dev.vqclip.models;


import java.nio.file.Path;

/**
 * The files a run uses, as chosen by {@link ModelResolver}.
 *
 * @param vqganCkpt   VQGAN weights (taming .ckpt, or safetensors for the demo model)
 * @param vqganConfig its taming yaml
 * @param clipWeights CLIP weights (OpenAI TorchScript archive, a state dict, or safetensors for the demo)
 * @param clipVocab   the BPE vocabulary ({@code .txt.gz})
 * @param demo        true if any of these is the bundled demo model (tiny; for trying the program, not for art)
 * @param vqganName   catalogue name, {@code demo}, or the file name when given as a file
 * @param clipName    catalogue name, {@code demo}, or the file name when given as a file
 */
public record ResolvedModels(Path vqganCkpt, Path vqganConfig, Path clipWeights, Path clipVocab, boolean demo,
                             String vqganName, String clipName) {
    /**
     * @param device where the models run, as the user reads it (e.g. {@code Devices.describe(d)}: "CPU", "GPU 0")
     * @return e.g. "DEMO models: VQGAN demo + CLIP demo on CPU" (the CLI and the studio both show it)
     */
    public String describe(String device) {
        return (demo ? "DEMO models: " : "") + "VQGAN " + vqganName + " + CLIP " + clipName + " on "
                + device;
    }
}
