package dev.vqclip.engine.run;


/**
 * The real {@link RunFactory}: runs VQGAN-CLIP on a loaded model pair. Owns the models.
 */
public final class VqganClipRunFactory implements RunFactory {
    private final RunModels models;

    public VqganClipRunFactory(RunModels models) {
        this.models = models;
    }

    public RunModels models() {
        return models;
    }

    @Override
    public SteppableRun start(GenerationRequest request) {
        requireMemory(request);
        return Run.start(models, request);
    }

    @Override
    public SteppableRun resume(RunSnapshot snapshot) {
        return Run.resume(models, snapshot);
    }

    /**
     * Refuses a new run (not a saved one: opening a snapshot to look at it stays possible) whose estimated memory is more than the device has (the system's figures, or the limit in the
     * {@link dev.vqclip.engine.DeviceMemory#LIMIT_PROPERTY} property), naming the largest size and cutout count that fit.
     */
    private void requireMemory(GenerationRequest r) {
        MemoryCheck c = MemoryCheck.forModels(models, r.width(), r.height(), r.cutouts(), -1);
        if (!c.fits()) {
            throw new IllegalArgumentException(c.message());
        }
    }

    @Override
    public String description() {
        return models.description();
    }

    @Override
    public boolean isDemo() {
        return models.demo();
    }

    @Override
    public void close() {
        models.close();
    }
}
