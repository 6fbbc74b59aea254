package dev.vqclip.app.core;

import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import javafx.beans.value.ObservableStringValue;
import javafx.beans.value.ObservableValue;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The state the studio's features share without importing each other (in the spirit of JabRef's
 * {@code StateManager}): the status bar's last notice and whether it is an error, whether a file is being read or
 * written, and whether the session has unsaved changes. Every feature gets the one instance; the session-files
 * feature clears {@link #dirtyProperty()} when it saves. UI thread only.
 */
public final class StudioStatus {
    private final DialogService dialogs;
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper noticeIsError = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper memory = new ReadOnlyStringWrapper("");
    private final LongJob job = new LongJob(System::nanoTime);
    private StringBinding status;
    private BooleanBinding statusIsError;

    public StudioStatus(DialogService dialogs) {
        this.dialogs = dialogs;
        notice.addListener((o, a, b) -> noticeIsError.set(false)); // error() sets it again after its text
    }

    /**
     * Makes the status bar's text from the run's message and this notice.
     *
     * @param runMessage the run's state in words
     * @param runProblems the run's error and warning (non-null while there is one): the status is then an error
     */
    public void showRun(ObservableStringValue runMessage, ObservableValue<?>... runProblems) {
        status = Bindings.createStringBinding(() -> {
            String n = notice.get();
            String m = runMessage.get();
            if (n == null || n.isEmpty()) {
                return m;
            }
            // an error comes first, where a narrow status bar does not cut it off
            return m == null || m.isEmpty() ? n : noticeIsError.get() ? n + "  ·  " + m : m + "  ·  " + n;
        }, notice, noticeIsError, runMessage);
        Observable[] deps = new Observable[runProblems.length + 1];
        deps[0] = noticeIsError;
        System.arraycopy(runProblems, 0, deps, 1, runProblems.length);
        statusIsError = Bindings.createBooleanBinding(() -> noticeIsError.get()
                || java.util.Arrays.stream(runProblems).anyMatch(p -> p.getValue() != null), deps);
    }

    /** Status bar → Details: the whole status text in a dialog. */
    public void showStatusDetails() {
        dialogs.showDetails(statusIsError.get() ? "Error" : "Status", status.get());
    }

    /** @return the status bar's text in full: the run's message and the last notice */
    public StringBinding statusProperty() {
        return status;
    }

    /** @return true when the status is an error (or a run that paused by itself): the view offers Details */
    public BooleanBinding statusIsErrorProperty() {
        return statusIsError;
    }

    /** @return the long job (an export, a large save) the status bar shows with its time left and a Cancel */
    public LongJob job() {
        return job;
    }

    /** Shows a message in the status bar (not an error). */
    public void notice(String text) {
        notice.set(text);
    }

    /** Shows an error in the status bar (in full behind its Details button). */
    public void error(String text) {
        notice.set(text);
        noticeIsError.set(true);
    }

    /**
     * An error about a file: the status bar says it, and a dialog names the file in full with the reason (a status
     * bar cuts long text off).
     */
    public void fileError(Path file, String what, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        // the status bar names the file once (the dialog gives its whole path)
        String shortWhy = why;
        for (String p : new String[] {file.toAbsolutePath().toString(), file.toString()}) {
            if (shortWhy.startsWith(p + ": ")) {
                shortWhy = shortWhy.substring(p.length() + 2);
            }
        }
        error(what + ": " + shortWhy);
        String title = what.isEmpty() ? what : Character.toUpperCase(what.charAt(0)) + what.substring(1);
        dialogs.showDetails(title, "File: " + file.toAbsolutePath() + "\n\n" + why);
    }

    /** Marks the studio busy (a file or the engine is working for the user) or not. */
    public void busy(boolean b) {
        busy.set(b);
    }

    /** The session has changes that are not in its file. */
    public void markDirty() {
        dirty.set(true);
    }

    /** Sets the unsaved-changes flag (the session-files feature: false after a save, open or new session). */
    public void setDirty(boolean d) {
        dirty.set(d);
    }

    /** Updates the memory figure (the view calls this every second). */
    public void refreshMemory() {
        Runtime rt = Runtime.getRuntime();
        long used = (rt.totalMemory() - rt.freeMemory()) >> 20;
        memory.set(String.format(Locale.ROOT, "%d/%d MiB", used, rt.maxMemory() >> 20));
    }

    /** @return the last file/export message (not an error dialog) */
    public ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty noticeIsErrorProperty() {
        return noticeIsError.getReadOnlyProperty();
    }

    /** @return true while a save or open is in progress */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty memoryProperty() {
        return memory.getReadOnlyProperty();
    }
}
