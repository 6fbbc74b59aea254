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
        return Run.start(models, request);
    }

    @Override
    public SteppableRun resume(RunSnapshot snapshot) {
        return Run.resume(models, snapshot);
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
