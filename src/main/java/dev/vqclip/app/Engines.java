package dev.vqclip.app;

import dev.vqclip.app.core.EngineProvider;
import ai.djl.Device;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.run.RunModels;
import dev.vqclip.engine.run.VqganClipRunFactory;
import dev.vqclip.models.ModelResolver;
import dev.vqclip.models.ResolvedModels;

/**
 * The production wiring of the engine: the best installed published models, else the bundled demo models, on the
 * device named by the {@code vqclip.device} system property ({@code auto} by default: a CUDA GPU when there is one).
 */
public final class Engines {
    private Engines() {
    }

    /** @return the engine the studio uses when nothing else is configured */
    public static EngineProvider production() {
        return progress -> {
            progress.update(-1, "finding models");
            StringBuilder notes = new StringBuilder();
            ResolvedModels rm = ModelResolver.standard(n -> notes.append(n).append('\n'))
                    .resolve(null, null, null, null);
            Device device = Devices.parse(System.getProperty("vqclip.device", "auto"));
            RunModels models = RunModels.load(rm.vqganCkpt(), rm.vqganConfig(), rm.clipWeights(), rm.clipVocab(),
                    device, rm.describe(dev.vqclip.engine.Devices.describe(device)), rm.demo(), progress::update);
            return new VqganClipRunFactory(models);
        };
    }
}
