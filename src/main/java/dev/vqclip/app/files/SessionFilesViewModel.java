package dev.vqclip.app.files;

import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.core.LongJob;
import dev.vqclip.app.core.StudioStatus;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.app.run.RunViewModel;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.session.SessionData;
import dev.vqclip.session.SessionStore;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The session's files: new, open, save, save as, autosave to a recovery copy, recovery and the question before
 * unsaved work would be lost. It owns the session's file and its unsaved-changes flag; reading and writing happen on
 * the engine thread between steps (through the {@link TaskExecutor}, or {@link RunViewModel#withState} when the run's
 * state goes into the file), and the UI thread never waits.
 */
public final class SessionFilesViewModel {
    /** What the files need from the rest of the studio (the coordinator, {@code StudioViewModel}, provides it). */
    public interface Session {
        /** @return the session as it is now, without the run's state (which the engine thread adds) */
        SessionData toData();

        /** Replaces the session with one read from a file. */
        void apply(SessionData d);

        /** Becomes an empty session. */
        void clear();

        /** Frees the run and the engine. */
        void close();

        /** @return a session made of these four actions */
        static Session of(java.util.function.Supplier<SessionData> toData,
                          java.util.function.Consumer<SessionData> apply, Runnable clear, Runnable close) {
            return new Session() {
                @Override
                public SessionData toData() {
                    return toData.get();
                }

                @Override
                public void apply(SessionData d) {
                    apply.accept(d);
                }

                @Override
                public void clear() {
                    clear.run();
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }

    private final TaskExecutor executor;
    private final DialogService dialogs;
    private final RunViewModel run;
    private final Session session;
    private final ReadOnlyObjectWrapper<Path> sessionFile = new ReadOnlyObjectWrapper<>();
    private final StudioStatus status;
    /** Set once the window closed normally: from then on no autosave may write the recovery copy again. */
    private final AtomicBoolean recoveryForgotten = new AtomicBoolean();

    public SessionFilesViewModel(TaskExecutor executor, DialogService dialogs, StudioStatus status, RunViewModel run,
                                 Session session) {
        this.executor = executor;
        this.status = status;
        this.dialogs = dialogs;
        this.run = run;
        this.session = session;
    }

    /**
     * Runs {@code proceed} when there is no unsaved work; otherwise asks Save / Don't Save / Cancel first: Save saves
     * (asking where when the session has no file yet) and runs {@code proceed} once the save has succeeded; Don't
     * Save runs it at once; Cancel, a cancelled file chooser or a failed save runs nothing.
     *
     * @param what e.g. "the current session", for the question
     */
    public void afterUnsaved(String what, Runnable proceed) {
        if (!status.dirtyProperty().get()) {
            proceed.run();
            return;
        }
        switch (dialogs.askUnsaved(what)) {
            case DISCARD -> proceed.run();
            case SAVE -> {
                Optional<Path> file = sessionFile.get() != null ? Optional.of(sessionFile.get())
                        : dialogs.chooseSaveFile("Save session", SessionStore.EXTENSION,
                                "session" + SessionStore.EXTENSION);
                if (file.isEmpty()) {
                    status.notice("not saved, so nothing was closed");
                    return;
                }
                saveTo(file.get(), proceed);
            }
            case CANCEL -> {
            }
        }
    }

    /** Starts an empty session (asks first when there is unsaved work: Save, Don't Save or Cancel). */
    public void newSession() {
        afterUnsaved("the current session", () -> {
            session.clear();
            sessionFile.set(null);
            status.setDirty(false);
            status.notice("new session");
        });
    }

    public void open() {
        afterUnsaved("the current session",
                () -> dialogs.chooseOpenFile("Open session", SessionStore.EXTENSION).ifPresent(this::openFile));
    }

    /** Opens a session file in the background; on failure the open session stays as it is. */
    public void openFile(Path file) {
        status.busy(true);
        status.notice("opening " + file.getFileName() + "…");
        executor.onEngine(() -> SessionStore.load(file), loaded -> {
            status.busy(false);
            session.apply(loaded.data());
            sessionFile.set(file);
            status.setDirty(false);
            status.notice(loaded.warnings().isEmpty() ? "opened " + file.getFileName()
                    : "opened " + file.getFileName() + " with problems: " + String.join("; ", loaded.warnings()));
        }, e -> {
            status.busy(false);
            status.fileError(file, "could not open " + file.getFileName(), e);
        });
    }

    /**
     * Opens the recovery copy that autosave or a termination signal left (the studio ended without the window
     * being closed) as an untitled session with unsaved changes: Save asks where to keep it, and closing asks
     * before discarding it.
     */
    public void recover(Path recovery) {
        status.busy(true);
        status.notice("recovering the unsaved session…");
        executor.onEngine(() -> {
            SessionStore.Loaded loaded = SessionStore.load(recovery);
            return Map.entry(loaded, Files.getLastModifiedTime(recovery).toInstant());
        }, got -> {
            status.busy(false);
            session.apply(got.getKey().data());
            sessionFile.set(null);
            status.setDirty(true);
            String when = java.time.format.DateTimeFormatter.ofPattern("d MMM HH:mm", Locale.ROOT)
                    .format(got.getValue().atZone(java.time.ZoneId.systemDefault()));
            List<String> warnings = got.getKey().warnings();
            status.notice("recovered the session left unsaved on " + when + "; save it to keep it"
                    + (warnings.isEmpty() ? "" : " (with problems: " + String.join("; ", warnings) + ")"));
        }, e -> {
            status.busy(false);
            status.fileError(recovery, "could not recover the unsaved session from " + recovery, e);
        });
    }

    /**
     * The window is closing normally (the user saved, or agreed to discard): the recovery copy is no longer needed.
     * It is deleted at once (so a process that then dies leaves no copy of a discarded session), no autosave writes
     * it again, and it is deleted once more on the engine thread after any save in progress there, which could
     * otherwise move a copy into place after the first deletion.
     */
    public void forgetRecovery(Path recovery) {
        recoveryForgotten.set(true);
        try {
            Files.deleteIfExists(recovery);
        } catch (IOException e) {
            status.error("could not remove " + recovery + ": " + e.getMessage());
        }
        executor.onEngine(() -> Files.deleteIfExists(recovery), deleted -> {
        }, e -> status.error("could not remove " + recovery + ": " + e.getMessage()));
    }

    public void save() {
        if (sessionFile.get() == null) {
            saveAs();
        } else {
            saveTo(sessionFile.get());
        }
    }

    public void saveAs() {
        dialogs.chooseSaveFile("Save session", SessionStore.EXTENSION, "session" + SessionStore.EXTENSION)
                .ifPresent(this::saveTo);
    }

    /** Saves in the background (between steps); a failure leaves the previous file intact and says why. */
    public void saveTo(Path file) {
        saveTo(file, () -> { });
    }

    /** As {@link #saveTo(Path)}, then runs {@code then} on the UI thread when the save succeeded. */
    private void saveTo(Path file, Runnable then) {
        SessionData partial = session.toData();
        status.busy(true);
        // the status bar shows how far the save is, with the time left and a Cancel (unless an export holds it)
        LongJob job = status.job();
        boolean tracked = job.start("Saving " + file.getFileName(), partial.history().size(), "history entries");
        run.live().withState(current -> {
            SessionStore.save(file, withCurrent(partial, current), n -> {
                if (tracked) {
                    executor.runOnUi(() -> job.progress(n));
                    if (job.isCancelled()) {
                        throw new CancellationException("save cancelled");
                    }
                }
            });
            return file;
        }, f -> {
            endSave(tracked);
            sessionFile.set(f);
            status.setDirty(false);
            status.notice("saved " + f.getFileName());
            then.run();
        }, e -> {
            endSave(tracked);
            if (tracked && job.isCancelled()) {
                status.notice("save cancelled: " + file.getFileName() + " is as it was, the session still unsaved");
            } else {
                status.fileError(file, "could not save " + file.getFileName(), e);
            }
        });
    }

    private void endSave(boolean tracked) {
        status.busy(false);
        if (tracked) {
            status.job().finish();
        }
    }

    /** Saves a recovery copy when there are unsaved changes (the autosave timer calls this). */
    public void autosave(Path recovery) {
        if (!status.dirtyProperty().get()) {
            return;
        }
        saveRecovery(recovery, f -> status.notice("autosaved to " + f),
                e -> status.error("autosave to " + recovery + " failed: " + e.getMessage()));
    }

    /** Queues a save of the session as it is now to the recovery copy (after the step in progress). */
    private void saveRecovery(Path recovery, Consumer<Path> onSaved, Consumer<Exception> onFailure) {
        SessionData partial = session.toData();
        run.live().withState(current -> {
            if (recoveryForgotten.get()) {
                return null; // the session was closed and its copy deleted meanwhile
            }
            Files.createDirectories(recovery.getParent());
            SessionStore.save(recovery, withCurrent(partial, current));
            return recovery;
        }, f -> {
            if (f != null) {
                onSaved.accept(f);
            }
        }, onFailure);
    }

    /**
     * For a termination signal (the process is ending without the window being closed): saves a recovery copy of
     * unsaved work once the step in progress has finished, then closes the engine.
     *
     * @param done receives what happened, in words (on the UI thread, or at once when nothing was unsaved)
     */
    public void saveRecoveryAndClose(Path recovery, Consumer<String> done) {
        if (!status.dirtyProperty().get() || recoveryForgotten.get()) {
            session.close();
            done.accept(status.dirtyProperty().get() ? "the window had closed and its session was discarded"
                    : "nothing was unsaved");
            return;
        }
        saveRecovery(recovery, f -> done.accept("the unsaved session was saved to " + f), e -> done.accept(
                "the unsaved session could not be saved to " + recovery + ": " + e.getMessage()));
        session.close();
    }

    private static SessionData withCurrent(SessionData d, RunSnapshot current) {
        return new SessionData(d.request(), d.promptRows(), current, d.frame(), d.history(), d.branchId(), d.paint(),
                d.mask(), d.models(), d.losses(), d.animation());
    }

    public ReadOnlyObjectProperty<Path> sessionFileProperty() {
        return sessionFile.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return status.dirtyProperty();
    }

    public boolean isDirty() {
        return status.dirtyProperty().get();
    }
}
