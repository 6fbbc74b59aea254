package dev.vqclip.app;

import ai.djl.Device;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.RunFactory;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.engine.run.SteppableRun;
import dev.vqclip.engine.run.VqganClipRunFactory;
import dev.vqclip.testing.ModelsPerClass;

import java.nio.file.Path;

/**
 * The bundled demo models (assets/models/demo) on the CPU, loaded once per test class and shared by its studios:
 * {@code @RegisterExtension static final DemoEngine DEMO = new DemoEngine();}, then {@code DEMO.models()}.
 */
final class DemoEngine extends ModelsPerClass {
    private static final Path DEMO = Path.of("assets", "models", "demo");

    @Override
    protected RunModels open() throws java.io.IOException {
        return RunModels.load(DEMO.resolve("vqgan.safetensors"), DEMO.resolve("vqgan.yaml"),
                DEMO.resolve("clip.safetensors"), DEMO.resolve("bpe.txt.gz"), Device.cpu(), "demo models", true,
                (f, m) -> { });
    }

    /** @return a studio's engine on this class's models */
    RunFactory engine() {
        return keeping(models());
    }

    /** @return a studio's engine on {@code models}; closing it leaves them loaded for the next studio */
    static RunFactory keeping(RunModels models) {
        VqganClipRunFactory f = new VqganClipRunFactory(models);
        return new RunFactory() {
            @Override
            public SteppableRun start(GenerationRequest request) {
                return f.start(request);
            }

            @Override
            public SteppableRun resume(RunSnapshot snapshot) {
                return f.resume(snapshot);
            }

            @Override
            public String description() {
                return f.description();
            }

            @Override
            public boolean isDemo() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

}
