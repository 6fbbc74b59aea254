package dev.vqclip.engine.run;

import ai.djl.Device;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.vqgan.Vqgan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The loaded model pair a run needs. Owns the models: {@link #close()} frees their weights.
 *
 * @param vqgan the VQGAN
 * @param clip the CLIP model
 * @param tokenizer CLIP's tokenizer (its vocabulary must be the one the CLIP model was trained with)
 * @param device where the models live
 * @param description names for the status bar and metadata
 * @param demo true for the bundled demo models
 * @param clipWeight the weight of {@code clip}'s loss (1 unless it is part of an ensemble)
 * @param moreClips further CLIP models guiding the run with their weights (an ensemble; empty for one CLIP)
 */
public record RunModels(Vqgan vqgan, Clip clip, ClipTokenizer tokenizer, Device device, String description,
                        boolean demo, double clipWeight, List<ClipGuide> moreClips) implements AutoCloseable {
    public RunModels {
        moreClips = List.copyOf(moreClips);
        if (!Double.isFinite(clipWeight)) {
            throw new IllegalArgumentException("CLIP weight must be finite, got " + clipWeight);
        }
    }

    /** One model pair: the CLIP with weight 1 and no ensemble. */
    public RunModels(Vqgan vqgan, Clip clip, ClipTokenizer tokenizer, Device device, String description,
                     boolean demo) {
        this(vqgan, clip, tokenizer, device, description, demo, 1.0, List.of());
    }

    /**
     * @return these models guided by an ensemble: this CLIP with {@code weight} plus {@code more}; the result owns
     *     the added models too (close it, not this)
     */
    public RunModels withEnsemble(double weight, List<ClipGuide> more) {
        List<ClipGuide> all = new ArrayList<>(moreClips);
        all.addAll(more);
        StringBuilder d = new StringBuilder(description);
        for (ClipGuide g : more) {
            d.append(" + CLIP ").append(g.name()).append(" ×").append(g.weight());
        }
        return new RunModels(vqgan, clip, tokenizer, device, d.toString(), demo, weight, all);
    }

    /** @return every CLIP that guides a run, this one first */
    public List<ClipGuide> guides() {
        List<ClipGuide> all = new ArrayList<>(1 + moreClips.size());
        all.add(new ClipGuide(clip, tokenizer, clipWeight, "CLIP"));
        all.addAll(moreClips);
        return all;
    }

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
        for (ClipGuide g : moreClips) {
            g.clip().close();
        }
    }
}
