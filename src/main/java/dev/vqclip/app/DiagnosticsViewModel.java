package dev.vqclip.app;

import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.EngineThreads;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.util.function.Supplier;

/**
 * The diagnostics dialog's state: the report {@code vqclip doctor} prints (machine, PyTorch build, oneDNN's
 * instruction set, threads, the self-check done at model load), made on the engine thread so the window never waits
 * on it; and the engine thread count saved for the next start.
 */
public final class DiagnosticsViewModel {
    private final TaskExecutor executor;
    private final Supplier<String> reporter;
    private final StringProperty report = new SimpleStringProperty("");
    private final BooleanProperty busy = new SimpleBooleanProperty();
    private final IntegerProperty threads = new SimpleIntegerProperty(EngineThreads.savedSetting());

    /**
     * @param executor where the report is made (engine thread) and published (UI thread)
     * @param reporter makes the report text (runs on the engine thread)
     */
    public DiagnosticsViewModel(TaskExecutor executor, Supplier<String> reporter) {
        this.executor = executor;
        this.reporter = reporter;
    }

    /** Makes the report again on the engine thread, after whatever it is doing; {@link #busyProperty} meanwhile. */
    public void refresh() {
        if (busy.get()) {
            return;
        }
        busy.set(true);
        report.set("Collecting diagnostics (after the engine's current step)…");
        executor.runOnEngine(() -> {
            String text;
            try {
                text = reporter.get();
            } catch (RuntimeException | LinkageError e) {
                text = "Diagnostics failed: " + e;
            }
            String done = text;
            executor.runOnUi(() -> {
                report.set(done);
                busy.set(false);
            });
        });
    }

    /** Saves {@link #threadsProperty} as the thread count of the next start (0: the default). */
    public void saveThreads() {
        EngineThreads.saveSetting(Math.max(0, threads.get()));
    }

    /** @return the report text (a line while it is being made) */
    public ReadOnlyStringProperty reportProperty() {
        return report;
    }

    /** @return whether a report is being made */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy;
    }

    /** @return the engine threads to use from the next start (0: one per core, less one for the window from four) */
    public IntegerProperty threadsProperty() {
        return threads;
    }
}
