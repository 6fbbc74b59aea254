package dev.vqclip.engine.run;

/**
 * Starts runs on loaded models. The studio holds one per model pair; tests substitute a fake. Calls come from the
 * engine thread.
 */
public interface RunFactory extends AutoCloseable {
    /**
     * Creates a run at step 0 (z initialised as the request says).
     *
     * @throws IllegalArgumentException when the request does not fit the models (size, prompt too long, bad image)
     */
    SteppableRun start(GenerationRequest request);

    /** Creates a run from a saved state (the same models must be loaded). */
    SteppableRun resume(RunSnapshot snapshot);

    /** @return e.g. "demo VQGAN f8/128 + demo CLIP ViT, CPU" for the status bar */
    String description();

    /** @return true when the bundled demo models are in use */
    boolean isDemo();

    @Override
    void close();
}
