package dev.vqclip.app.editor;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The studio's one undo/redo history over {@link Edit}s, whichever tool made them: Ctrl+Z undoes the newest edit,
 * stroke or prompt alike. Features {@link #record} their edits; the feature that owns a kind of value shows it again
 * on undo and redo ({@link #onEditor}, {@link #onLayers}). UI thread only.
 */
public final class EditHistory {
    /** Steps kept in all. */
    static final int LIMIT = 200;
    /** Layer steps kept (each holds whole-image layers). */
    static final int LAYER_LIMIT = 50;
    private final Deque<Edit> undo = new ArrayDeque<>();
    private final Deque<Edit> redo = new ArrayDeque<>();
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper undoName = new ReadOnlyStringWrapper("Undo");
    private final ReadOnlyStringWrapper redoName = new ReadOnlyStringWrapper("Redo");
    /** False after an undo or redo: the next typing starts a new step rather than joining the undone one. */
    private boolean mayMerge;
    private Consumer<Edit.EditorEdit> editorTarget = e -> { };
    private Consumer<Edit.EditorEdit> editorUndone = e -> { };
    private Consumer<Edit.LayerEdit> layerTarget = e -> { };
    private Consumer<Edit.LayerEdit> layerUndone = e -> { };
    private Runnable onChange = () -> { };

    /** Sets what to do after every record, undo and redo (the studio marks its session unsaved). */
    public void setOnChange(Runnable r) {
        onChange = r == null ? () -> { } : r;
    }

    /**
     * Records a finished edit as the newest step (the redo steps go). A prompt edit that continues the newest step's
     * typing in the same row ({@link EditorState#sameTypingBurst}) joins that step instead.
     */
    public void record(Edit e) {
        Edit top = undo.peek();
        if (mayMerge && e instanceof Edit.EditorEdit now && top instanceof Edit.EditorEdit last
                && last.after().equals(now.before()) && EditorState.sameTypingBurst(last.before(), now.after())
                && EditorState.sameTypingBurst(last.after(), now.after())) {
            undo.pop();
            e = new Edit.EditorEdit(last.name(), last.before(), now.after());
        }
        undo.push(e);
        trim();
        redo.clear();
        mayMerge = true;
        update();
        onChange.run();
    }

    /** Undoes the newest step: its owner shows the value before it. */
    public void undo() {
        move(undo, redo, true);
    }

    /** Redoes the step the last undo undid. */
    public void redo() {
        move(redo, undo, false);
    }

    private void move(Deque<Edit> from, Deque<Edit> to, boolean undone) {
        Edit e = from.poll();
        if (e == null) {
            return;
        }
        to.push(e);
        mayMerge = false;
        update();
        show(e, undone);
        onChange.run();
    }

    /** Hands a step to the feature that owns its value: the one place that knows every kind of {@link Edit}. */
    private void show(Edit e, boolean undone) {
        if (e instanceof Edit.EditorEdit ed) {
            (undone ? editorUndone : editorTarget).accept(ed);
        } else if (e instanceof Edit.LayerEdit le) {
            (undone ? layerUndone : layerTarget).accept(le);
        }
    }

    /**
     * Sets who shows editor edits again.
     *
     * @param undone gets an undone edit (show its {@code before})
     * @param redone gets a redone edit (show its {@code after})
     */
    public void onEditor(Consumer<Edit.EditorEdit> undone, Consumer<Edit.EditorEdit> redone) {
        editorUndone = undone;
        editorTarget = redone;
    }

    /** Sets who shows layer edits again (see {@link #onEditor}). */
    public void onLayers(Consumer<Edit.LayerEdit> undone, Consumer<Edit.LayerEdit> redone) {
        layerUndone = undone;
        layerTarget = redone;
    }

    /** Forgets the steps of one kind (e.g. the paint went into the run: its strokes can no longer be undone). */
    public void forget(Class<? extends Edit> kind) {
        Predicate<Edit> of = kind::isInstance;
        undo.removeIf(of);
        redo.removeIf(of);
        update();
    }

    /** Forgets every step (a new or opened session). */
    public void clear() {
        undo.clear();
        redo.clear();
        update();
    }

    private void trim() {
        while (undo.size() > LIMIT) {
            undo.removeLast();
        }
        if (undo.stream().filter(Edit.LayerEdit.class::isInstance).count() > LAYER_LIMIT) {
            Edit oldest = null;
            for (Edit e : undo) {
                if (e instanceof Edit.LayerEdit) {
                    oldest = e;
                }
            }
            undo.removeLastOccurrence(oldest);
        }
    }

    private void update() {
        canUndo.set(!undo.isEmpty());
        canRedo.set(!redo.isEmpty());
        undoName.set(undo.isEmpty() ? "Undo" : "Undo " + undo.peek().name());
        redoName.set(redo.isEmpty() ? "Redo" : "Redo " + redo.peek().name());
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    /** @return "Undo brush stroke", "Undo prompt edit", … or "Undo" (the Edit menu's text) */
    public ReadOnlyStringProperty undoNameProperty() {
        return undoName.getReadOnlyProperty();
    }

    /** @return "Redo mask stroke", … or "Redo" */
    public ReadOnlyStringProperty redoNameProperty() {
        return redoName.getReadOnlyProperty();
    }
}
