package dev.vqclip.models;

/**
 * Facts about the bundled demo models (trained by {@code dev.vqclip.training.DemoTraining}) that the rest of the program uses.
 */
public final class DemoModels {
    /**
     * Default output side with the demo models: the size both were trained at. At 128 px the demo VQGAN turns purple
     * and black backgrounds blue (its GroupNorm statistics differ from the training crops') and the red-to-green edit
     * of the tests turns the circle blue; see docs/demo-models.md. Larger sizes work too.
     */
    public static final int DEFAULT_SIZE = 64;

    /** The demo models' file names, in the assets folder and in what {@code vqclip train-demo} writes. */
    public static final String VQGAN_FILE = "vqgan.safetensors";
    public static final String VQGAN_YAML = "vqgan.yaml";
    public static final String CLIP_FILE = "clip.safetensors";
    public static final String VOCAB_FILE = "bpe.txt.gz";

    private DemoModels() {
    }
}
