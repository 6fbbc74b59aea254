package dev.vqclip.engine.run;

import ai.djl.Device;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.testing.ModelsPerClass;
import dev.vqclip.testing.Reference;

/**
 * The tiny random-weight reference models as a run's model pair, loaded once per test class:
 * {@code @RegisterExtension static final TinyModels TINY = new TinyModels();}, then {@code TINY.models()}. Without the
 * reference folder the class is skipped (failed on CI, see {@link Reference#dir()}); the models are closed after the
 * class.
 */
final class TinyModels extends ModelsPerClass {
    @Override
    protected RunModels open() {
        Reference.dir();
        return load();
    }

    /** @return freshly loaded tiny reference models; the caller closes them */
    static RunModels load() {
        return load(Device.cpu());
    }

    /** @return freshly loaded tiny reference models on {@code device}; the caller closes them */
    static RunModels load(Device device) {
        try {
            Vqgan vq = Vqgan.load(Reference.file("vqgan_tiny.ckpt"), Reference.file("vqgan_tiny.yaml"), device);
            Clip clip = Clip.load(Reference.file("clip_tiny_jit.pt"), device);
            ClipTokenizer tok = ClipTokenizer.load(Reference.file("clip/bpe_simple_vocab_16e6.txt.gz"));
            return new RunModels(vq, clip, tok, device, "tiny reference VQGAN + tiny reference CLIP", false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
