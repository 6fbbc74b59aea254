package dev.vqclip.app;

import dev.vqclip.app.core.DialogService;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** A dialog service that answers from a script; records what was asked. */
public final class ScriptedDialogs implements DialogService {
    public final Deque<Path> files = new ArrayDeque<>();
    public boolean discard = true;
    /** The answer to {@link #askUnsaved}; null: Don't Save when {@link #discard}, else Cancel. */
    public DialogService.Unsaved unsaved;
    /** What {@link #askUnsaved} was asked about, in order. */
    public final java.util.List<String> unsavedAsked = new java.util.ArrayList<>();
    public int asked;
    /** "title: text" of each message shown in full. */
    public final java.util.List<String> shown = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Optional<Path> chooseSaveFile(String title, String extension, String suggestedName) {
        asked++;
        return Optional.ofNullable(files.poll());
    }

    @Override
    public Optional<Path> chooseOpenFile(String title, String extension) {
        asked++;
        return Optional.ofNullable(files.poll());
    }

    @Override
    public Optional<Path> chooseFolder(String title) {
        asked++;
        return Optional.ofNullable(files.poll());
    }

    @Override
    public void showDetails(String title, String text) {
        shown.add(title + ": " + text);
    }

    @Override
    public boolean confirmDiscard(String what) {
        asked++;
        return discard;
    }

    @Override
    public Unsaved askUnsaved(String what) {
        asked++;
        unsavedAsked.add(what);
        return unsaved != null ? unsaved : discard ? Unsaved.DISCARD : Unsaved.CANCEL;
    }
}
