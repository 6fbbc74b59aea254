package dev.vqclip.app;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BiPredicate;

/**
 * Undo/redo of editor states (values, not commands). {@link #changed} is told about every edit with the state
 * before and after; an edit that {@code merges} with the previous one (e.g. more typing in the same row) does not
 * add a step.
 *
 * @param <T> an immutable state value
 */
public final class UndoStack<T> {
    private static final int LIMIT = 200;
    private final Deque<T> undo = new ArrayDeque<>();
    private final Deque<T> redo = new ArrayDeque<>();
    private final BiPredicate<T, T> merges;
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper();
    private T lastBefore;
    private T lastAfter;

    /** @param merges (previous edit's result, this edit's result) → true when they are one undo step */
    public UndoStack(BiPredicate<T, T> merges) {
        this.merges = merges;
    }

    /**
     * Records an edit from {@code before} to {@code after}.
     *
     * @return true when this made a new undo step (false: no change, or merged into the previous step)
     */
    public boolean changed(T before, T after) {
        if (before.equals(after)) {
            return false;
        }
        boolean merge = lastAfter != null && lastAfter.equals(before) && !undo.isEmpty()
                && merges.test(lastBefore, after) && merges.test(lastAfter, after);
        if (!merge) {
            undo.push(before);
            if (undo.size() > LIMIT) {
                undo.removeLast();
            }
            lastBefore = before;
        }
        lastAfter = after;
        redo.clear();
        update();
        return !merge;
    }

    /** @return the state to go back to from {@code current}, or null when there is none */
    public T undo(T current) {
        if (undo.isEmpty()) {
            return null;
        }
        redo.push(current);
        T s = undo.pop();
        lastAfter = null;
        update();
        return s;
    }

    /** @return the state to go forward to from {@code current}, or null */
    public T redo(T current) {
        if (redo.isEmpty()) {
            return null;
        }
        undo.push(current);
        T s = redo.pop();
        lastAfter = null;
        update();
        return s;
    }

    public void clear() {
        undo.clear();
        redo.clear();
        lastAfter = null;
        update();
    }

    private void update() {
        canUndo.set(!undo.isEmpty());
        canRedo.set(!redo.isEmpty());
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }
}
