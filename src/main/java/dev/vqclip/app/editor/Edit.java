package dev.vqclip.app.editor;

import dev.vqclip.session.Layers;

/**
 * One step of the studio's one edit history (Ctrl+Z / Ctrl+Y): the value before and after an edit, and what the Edit
 * menu calls it ("brush stroke", "prompt edit", "steps change"). A new kind of undoable action is one more record
 * here and one more case in {@link EditHistory#show}.
 */
public sealed interface Edit permits Edit.EditorEdit, Edit.LayerEdit {
    /** @return the Edit menu's name for this step */
    String name();

    /** A prompt or settings edit: the editor's state before and after it. */
    record EditorEdit(String name, EditorState before, EditorState after) implements Edit {
    }

    /** A paint or mask edit (stroke, fill, mask from a selection or text, clear): the layers before and after it. */
    record LayerEdit(String name, Layers before, Layers after) implements Edit {
    }
}
