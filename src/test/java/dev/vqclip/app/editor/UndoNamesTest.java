package dev.vqclip.app.editor;

import dev.vqclip.app.settings.Settings;
import dev.vqclip.session.SessionData.PromptRow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the Edit menu calls an editor edit, and which field an undo of it shows (no toolkit). */
class UndoNamesTest {
    static final PromptRow LIGHTHOUSE = new PromptRow("a lighthouse", 1.0, Double.NEGATIVE_INFINITY);
    static final Settings S = Settings.defaults();

    static EditorState edited(String what) {
        PromptRow r = LIGHTHOUSE;
        Settings s = S;
        List<PromptRow> rows = List.of(r);
        switch (what) {
            case "text" -> rows = List.of(new PromptRow("a lighthouse at dusk", 1.0, Double.NEGATIVE_INFINITY));
            case "weight" -> rows = List.of(new PromptRow(r.text(), -0.5, r.stop()));
            case "stop" -> rows = List.of(new PromptRow(r.text(), r.weight(), 0.3));
            case "row" -> rows = List.of(r, new PromptRow("fog", 1.0, Double.NEGATIVE_INFINITY));
            case "none" -> rows = List.of();
            case "steps" -> s = new Settings(S.width(), S.height(), 123, S.seed(), S.cutouts(), S.cutPow(),
                    S.learningRate(), S.l2Weight(), S.l2Decay(), S.augmentations());
            case "height" -> s = S.withSize(S.width(), S.height() + 16);
            case "lr" -> s = new Settings(S.width(), S.height(), S.steps(), S.seed(), S.cutouts(), S.cutPow(), 0.5,
                    S.l2Weight(), S.l2Decay(), S.augmentations());
            case "seed" -> s = new Settings(S.width(), S.height(), S.steps(), 99, S.cutouts(), S.cutPow(),
                    S.learningRate(), S.l2Weight(), S.l2Decay(), S.augmentations());
            default -> throw new IllegalArgumentException(what);
        }
        return new EditorState(rows, s);
    }

    @ParameterizedTest
    @CsvSource({
        "text,   prompt edit,          promptText0",
        "weight, prompt weight,        promptText0",
        "stop,   prompt stop,          promptText0",
        "row,    new prompt,           prompts",
        "none,   prompt removal,       prompts",
        "steps,  steps change,         steps",
        "height, size change,          height",
        "lr,     learning rate change, learningRate",
        "seed,   seed change,          seed",
    })
    void anEditIsNamedAndItsFieldFound(String what, String name, String field) {
        EditorState before = new EditorState(List.of(LIGHTHOUSE), S);
        EditorState after = edited(what);
        assertThat(EditorState.editName(before, after)).isEqualTo(name);
        assertThat(EditorState.changedField(after, before)).as("undo goes back: the same field")
                .isEqualTo(field);
    }
}
