package dev.vqclip.engine.run;

import ai.djl.Device;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.vqgan.Vqgan;

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
    @Override
    public void close() {
        vqgan.close();
        clip.close();
    }
}
