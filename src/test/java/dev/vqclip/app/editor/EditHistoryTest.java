package dev.vqclip.app.editor;

import dev.vqclip.app.settings.Settings;
import dev.vqclip.session.Layers;
import dev.vqclip.session.SessionData.PromptRow;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The one edit history: order across kinds, typing bursts, forgetting one kind, limits (no toolkit). */
class EditHistoryTest {
    private final EditHistory h = new EditHistory();
    private final List<String> shown = new ArrayList<>();

    EditHistoryTest() {
        h.onEditor(e -> shown.add("editor before " + e.before().rows().size()),
                e -> shown.add("editor after " + e.after().rows().size()));
        h.onLayers(e -> shown.add("layers before " + e.name()), e -> shown.add("layers after " + e.name()));
    }

    private static EditorState typed(String text) {
        return new EditorState(text.isEmpty() ? List.of()
                : List.of(new PromptRow(text, 1.0, Double.NEGATIVE_INFINITY)), Settings.defaults());
    }

    private void type(String from, String to) {
        h.record(new Edit.EditorEdit(EditorState.editName(typed(from), typed(to)), typed(from), typed(to)));
    }

    @Test
    void ctrlZUndoesTheNewestEditOfEitherKindAndNamesIt() {
        h.record(new Edit.LayerEdit("brush stroke", Layers.NONE, Layers.NONE));
        type("", "a");
        h.record(new Edit.LayerEdit("mask stroke", Layers.NONE, Layers.NONE));
        assertThat(h.undoNameProperty().get()).isEqualTo("Undo mask stroke");
        h.undo();
        assertThat(h.undoNameProperty().get()).isEqualTo("Undo new prompt");
        assertThat(h.redoNameProperty().get()).isEqualTo("Redo mask stroke");
        h.undo();
        h.undo();
        assertThat(h.canUndoProperty().get()).isFalse();
        assertThat(h.undoNameProperty().get()).isEqualTo("Undo");
        h.redo();
        assertThat(shown).containsExactly("layers before mask stroke", "editor before 0",
                "layers before brush stroke", "layers after brush stroke");
        type("a", "ab"); // a new edit drops what could be redone
        assertThat(h.canRedoProperty().get()).isFalse();
    }

    @Test
    void typingInOneRowIsOneStepUntilAnUndo() {
        type("a", "ab");
        type("ab", "abc");
        h.undo();
        assertThat(h.canUndoProperty().get()).as("\"c\" joined the step that typed \"b\"").isFalse();
        assertThat(shown).containsExactly("editor before 1");
        h.redo();
        type("abc", "abcd"); // after a redo the typing is a step of its own
        h.undo();
        assertThat(h.canUndoProperty().get()).isTrue();
    }

    @Test
    void forgettingLayerEditsKeepsEditorEditsAndTheLimitsHold() {
        int[] changes = {0};
        h.setOnChange(() -> changes[0]++);
        type("", "a");
        for (int i = 0; i < EditHistory.LAYER_LIMIT + 5; i++) {
            h.record(new Edit.LayerEdit("stroke " + i, Layers.NONE, Layers.NONE));
        }
        assertThat(changes[0]).isEqualTo(EditHistory.LAYER_LIMIT + 6);
        int steps = 0;
        while (h.canUndoProperty().get()) {
            h.undo();
            steps++;
        }
        assertThat(steps).as("50 strokes kept, and the prompt edit").isEqualTo(EditHistory.LAYER_LIMIT + 1);
        h.forget(Edit.LayerEdit.class);
        assertThat(h.redoNameProperty().get()).isEqualTo("Redo new prompt");
        h.clear();
        assertThat(h.canRedoProperty().get()).isFalse();
    }
}
