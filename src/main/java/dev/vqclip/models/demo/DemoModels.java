package dev.vqclip.models.demo;

/**
 * Facts about the bundled demo models (trained by {@link DemoTraining}) that the rest of the program uses.
 */
public final class DemoModels {
    /**
     * Default output side with the demo models: the demo CLIP sees 64 px, so cutouts of a 128 px image still show
     * most of the scene, and 100 steps take well under a minute on two cores. Larger sizes work too.
     */
    public static final int DEFAULT_SIZE = 128;

    private DemoModels() {
    }
}
