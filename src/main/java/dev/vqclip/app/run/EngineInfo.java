package dev.vqclip.app.run;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** The engine as the status bar shows it: its models and device in words, demo models or not, ready or not. */
public final class EngineInfo {
    private final ReadOnlyStringWrapper description = new ReadOnlyStringWrapper("engine not loaded");
    private final ReadOnlyBooleanWrapper demo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper();

    void loaded(String what, boolean isDemo) {
        ready.set(true);
        description.set(what);
        demo.set(isDemo);
    }

    void failed() {
        ready.set(false);
        description.set("no engine");
    }

    public ReadOnlyStringProperty engineDescriptionProperty() {
        return description.getReadOnlyProperty();
    }

    /** @return true while the tiny bundled demo models are in use */
    public ReadOnlyBooleanProperty demoProperty() {
        return demo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty engineReadyProperty() {
        return ready.getReadOnlyProperty();
    }
}
