package dev.vqclip.engine.run;

import ai.djl.Device;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.testing.Reference;

/** The tiny random-weight reference models as a run's model pair. */
final class TinyModels {
    private TinyModels() {
    }

    static RunModels load() {
        try {
            Vqgan vq = Vqgan.load(Reference.file("vqgan_tiny.ckpt"), Reference.file("vqgan_tiny.yaml"), Device.cpu());
            Clip clip = Clip.load(Reference.file("clip_tiny_jit.pt"), Device.cpu());
            ClipTokenizer tok = ClipTokenizer.load(Reference.file("clip/bpe_simple_vocab_16e6.txt.gz"));
            return new RunModels(vq, clip, tok, Device.cpu(), "tiny reference VQGAN + tiny reference CLIP", false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
