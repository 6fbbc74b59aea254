package dev.vqclip.engine.run;

import ai.djl.Device;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.vqgan.Vqgan;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The loaded model pair a run needs. Owns the models: {@link #close()} frees their weights.
 *
 * @param vqgan the VQGAN
 * @param clip the CLIP model
 * @param tokenizer CLIP's tokenizer (its vocabulary must be the one the CLIP model was trained with)
 * @param device where the models live
 * @param description names for the status bar and metadata
 * @param demo true for the bundled demo models
 */
public record RunModels(Vqgan vqgan, Clip clip, ClipTokenizer tokenizer, Device device, String description,
                        boolean demo) implements AutoCloseable {
    /** Receives loading progress: a fraction in [0,1] and what is being loaded. */
    public interface Progress {
        void update(double fraction, String message);
    }

    /**
     * Loads a model pair from files (any format the readers accept). On failure nothing stays loaded.
     *
     * @param description names for the status bar and metadata
     * @param demo whether these are the bundled demo models
     */
    public static RunModels load(Path vqganWeights, Path vqganYaml, Path clipWeights, Path vocab, Device device,
                                 String description, boolean demo, Progress progress) throws IOException {
        progress.update(0.05, "loading VQGAN " + vqganWeights.getFileName());
        Vqgan vq = Vqgan.load(vqganWeights, vqganYaml, device);
        try {
            progress.update(0.6, "loading CLIP " + clipWeights.getFileName());
            Clip c = Clip.load(clipWeights, device);
            try {
                progress.update(0.95, "loading vocabulary " + vocab.getFileName());
                ClipTokenizer tok = ClipTokenizer.load(vocab);
                progress.update(1.0, "models loaded");
                return new RunModels(vq, c, tok, device, description, demo);
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            vq.close();
            throw e;
        }
    }

    @Override
    public void close() {
        vqgan.close();
        clip.close();
    }
}
