package dev.vqclip.engine.run;

import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;

/**
 * One CLIP model of an ensemble that guides a run, with its weight: the run's loss is the sum over the guides of
 * weight × (that CLIP's spherical-distance loss over the prompts). Guides with the same input resolution see the
 * same cutout batch.
 *
 * @param clip the model (owned by the {@link RunModels} it is part of)
 * @param tokenizer its vocabulary (OpenAI's CLIPs share one)
 * @param weight its share of the loss; finite, may be negative
 * @param name for progress lines and metadata, e.g. {@code ViT-B/16}
 */
public record ClipGuide(Clip clip, ClipTokenizer tokenizer, double weight, String name) {
    public ClipGuide {
        if (clip == null || tokenizer == null) {
            throw new IllegalArgumentException("a CLIP guide needs a model and its tokenizer");
        }
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("CLIP " + name + ": weight must be finite, got " + weight);
        }
    }
}
