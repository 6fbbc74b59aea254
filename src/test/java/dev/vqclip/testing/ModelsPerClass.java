package dev.vqclip.testing;

import dev.vqclip.engine.run.RunModels;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A model pair loaded once per test class and closed after it: register a subclass as a static
 * {@code @RegisterExtension} field, then call {@link #models()}.
 */
public abstract class ModelsPerClass implements BeforeAllCallback, AfterAllCallback {
    private RunModels models;

    /** @return freshly loaded models (may skip the class by failing an assumption) */
    protected abstract RunModels open() throws Exception;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        models = open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (models != null) {
            models.close();
            models = null;
        }
    }

    /** @return the models loaded for the running test class (the extension closes them) */
    public RunModels models() {
        if (models == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " is used outside its test class (register "
                    + "it as a static @RegisterExtension field)");
        }
        return models;
    }
}
