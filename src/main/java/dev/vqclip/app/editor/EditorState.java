package dev.vqclip.app.editor;

import dev.vqclip.app.settings.Settings;
import dev.vqclip.session.SessionData;

import java.util.List;
import java.util.Objects;

/**
 * The editor's prompts and settings as one value, for undo, and what an edit between two of them is called ("prompt
 * edit", "size change": the Edit menu's names) and which field it changed (the field undo reveals).
 *
 * @param rows the prompt rows as the editor shows them
 * @param settings the other settings
 */
public record EditorState(List<SessionData.PromptRow> rows, Settings settings) {
    /** @return what an edit from {@code a} to {@code b} was, in words */
    static String editName(EditorState a, EditorState b) {
        if (a.rows().size() < b.rows().size()) {
            return "new prompt";
        }
        if (a.rows().size() > b.rows().size()) {
            return "prompt removal";
        }
        for (int i = 0; i < a.rows().size(); i++) {
            SessionData.PromptRow x = a.rows().get(i);
            SessionData.PromptRow y = b.rows().get(i);
            if (!x.text().equals(y.text())) {
                return "prompt edit";
            }
            if (x.weight() != y.weight()) {
                return "prompt weight";
            }
            if (x.stop() != y.stop()) {
                return "prompt stop";
            }
            if (!x.span().equals(y.span())) {
                return "prompt span";
            }
        }
        String f = changedSetting(a.settings(), b.settings());
        return switch (f) {
            case "width", "height" -> "size change";
            case "cutPow" -> "cut power change";
            case "learningRate" -> "learning rate change";
            case "l2Weight" -> "L2 weight change";
            case "l2Decay" -> "L2 decay change";
            case "settingsAugment" -> "augmentation change";
            case "" -> "edit";
            default -> f + " change";
        };
    }

    /**
     * @return the id of the editor field that differs between two states (see
     *         {@link EditorViewModel#setOnRevealEditor})
     */
    static String changedField(EditorState a, EditorState b) {
        int n = Math.min(a.rows().size(), b.rows().size());
        for (int i = 0; i < n; i++) {
            if (!a.rows().get(i).equals(b.rows().get(i))) {
                return "promptText" + i;
            }
        }
        if (a.rows().size() != b.rows().size()) {
            return "prompts";
        }
        String f = changedSetting(a.settings(), b.settings());
        return f.isEmpty() ? "prompts" : f;
    }

    /** @return the first differing setting's name (its field id), "settingsAugment", or "" */
    private static String changedSetting(Settings a, Settings b) {
        for (java.lang.reflect.RecordComponent c : Settings.class.getRecordComponents()) {
            try {
                if (!Objects.equals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
                    return c.getName().equals("augmentations") ? "settingsAugment" : c.getName();
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return "";
    }

    /** Typing in one row is one undo step. */
    static boolean sameTypingBurst(EditorState a, EditorState b) {
        if (a == null || b == null || !a.settings().equals(b.settings()) || a.rows().size() != b.rows().size()) {
            return false;
        }
        int diffs = 0;
        for (int i = 0; i < a.rows().size(); i++) {
            SessionData.PromptRow x = a.rows().get(i);
            SessionData.PromptRow y = b.rows().get(i);
            if (x.weight() != y.weight() || x.stop() != y.stop() || !x.span().equals(y.span())) {
                return false;
            }
            if (!x.text().equals(y.text())) {
                diffs++;
            }
        }
        return diffs <= 1;
    }
}
