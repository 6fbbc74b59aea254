package dev.vqclip.app.prompt;

import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.session.SessionData;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.List;

/**
 * The prompt rows and the negative prompt. The list's extractor makes text, weight and span edits show up as list
 * changes, so one listener on {@link #rows()} sees every row edit; the negative prompt is {@link #negativeProperty()}.
 * <p>
 * The negative prompt holds one prompt per line (or per {@code |}), each {@code text[:strength[:stop]]}; the engine
 * gets each as a prompt with weight {@code -strength} (1 when not given), which pushes the image away from the text.
 * It is kept as one {@link SessionData.PromptRow} flagged {@code negative} whose text is the field as typed.
 */
public final class PromptViewModel {
    private final ObservableList<PromptRowViewModel> rows = FXCollections.observableArrayList(
            r -> new Observable[] {r.textProperty(), r.weightProperty(), r.spanProperty()});
    private final StringProperty negative = new SimpleStringProperty("");
    private final BooleanBinding hasPrompt = Bindings.createBooleanBinding(
            () -> rows.stream().anyMatch(r -> !r.textProperty().get().isBlank()), rows);
    private final BooleanBinding hasPositivePrompt = Bindings.createBooleanBinding(
            () -> rows.stream().anyMatch(r -> !r.textProperty().get().isBlank() && r.weightProperty().get() > 0),
            rows);

    public PromptViewModel() {
        rows.add(new PromptRowViewModel("", 1.0, Double.NEGATIVE_INFINITY));
    }

    // ---- Commands ----

    /** Adds an empty row with weight 1. */
    public PromptRowViewModel addRow() {
        PromptRowViewModel r = new PromptRowViewModel("", 1.0, Double.NEGATIVE_INFINITY);
        rows.add(r);
        return r;
    }

    /** Removes a row; the last row is cleared instead so there is always one to type in. */
    public void removeRow(PromptRowViewModel row) {
        if (rows.size() == 1 && rows.get(0) == row) {
            row.textProperty().set("");
            row.weightProperty().set(1.0);
        } else {
            rows.remove(row);
        }
    }

    /**
     * @return the rows with text, as prompts (blank rows are skipped), then the negative prompt's lines with negative
     *         weights (a line that does not parse is taken as plain text here; {@link #checkNegative} names it)
     */
    public List<Prompt> prompts() {
        List<Prompt> out = new ArrayList<>();
        for (PromptRowViewModel r : rows) {
            if (!r.textProperty().get().isBlank()) {
                out.add(new Prompt(r.textProperty().get(), r.weightProperty().get(), r.getStop(),
                        r.spanProperty().get()));
            }
        }
        for (String line : negativeLines(negative.get())) {
            Prompt p;
            try {
                p = PromptParser.parseOne(line);
            } catch (IllegalArgumentException e) {
                p = new Prompt(line, 1.0);
            }
            out.add(new Prompt(p.text(), -Math.abs(p.weight()), p.stop()));
        }
        return out;
    }

    /** @throws IllegalArgumentException naming the first line of the negative prompt that does not parse */
    public void checkNegative() {
        List<String> lines = negativeLines(negative.get());
        for (int i = 0; i < lines.size(); i++) {
            try {
                PromptParser.parseOne(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("negative prompt \"" + lines.get(i) + "\": " + e.getMessage(), e);
            }
        }
    }

    private static List<String> negativeLines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("[\\n|]")) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        return out;
    }

    /**
     * @return the rows as typed, then the negative prompt as a row flagged {@code negative} (always there, even
     *         empty, so that typing its first letter is an edit of one row like any other, for undo)
     */
    public List<SessionData.PromptRow> toRows() {
        List<SessionData.PromptRow> out = new ArrayList<>(rows.stream().map(r -> new SessionData.PromptRow(
                r.textProperty().get(), r.weightProperty().get(), r.getStop(), false, r.spanProperty().get())).toList());
        out.add(new SessionData.PromptRow(negative.get(), -1.0, Double.NEGATIVE_INFINITY, true));
        return out;
    }

    /** Replaces all rows (at least one row remains) and the negative prompt (from rows flagged negative). */
    public void setRows(List<SessionData.PromptRow> newRows) {
        List<PromptRowViewModel> list = new ArrayList<>();
        StringBuilder neg = new StringBuilder();
        for (SessionData.PromptRow r : newRows) {
            if (r.negative()) {
                neg.append(neg.length() == 0 ? "" : "\n").append(r.text());
            } else {
                list.add(new PromptRowViewModel(r.text(), r.weight(), r.stop(), r.span()));
            }
        }
        if (list.isEmpty()) {
            list.add(new PromptRowViewModel("", 1.0, Double.NEGATIVE_INFINITY));
        }
        rows.setAll(list);
        negative.set(neg.toString());
    }

    /** Replaces all rows with prompts (negative weights go to the negative prompt, see {@link #rowsOf}). */
    public void setPrompts(List<Prompt> prompts) {
        setRows(rowsOf(prompts));
    }

    /**
     * @return prompts as the editor shows them: prompts with a positive (or zero) weight as rows, those with a
     *         negative weight as the lines of the negative prompt ({@code text}, or {@code text:strength[:stop]})
     */
    public static List<SessionData.PromptRow> rowsOf(List<Prompt> prompts) {
        List<SessionData.PromptRow> out = new ArrayList<>();
        StringBuilder neg = new StringBuilder();
        for (Prompt p : prompts) {
            if (p.weight() < 0) {
                Prompt strength = new Prompt(p.text(), -p.weight(), p.stop());
                String line = strength.weight() == 1.0 && p.stop() == Double.NEGATIVE_INFINITY ? p.text()
                        : strength.toSpec();
                neg.append(neg.length() == 0 ? "" : "\n").append(line);
            } else {
                out.add(new SessionData.PromptRow(p.text(), p.weight(), p.stop(), false, p.span()));
            }
        }
        if (neg.length() > 0) {
            out.add(new SessionData.PromptRow(neg.toString(), -1.0, Double.NEGATIVE_INFINITY, true));
        }
        return out;
    }

    // ---- Properties ----

    public ObservableList<PromptRowViewModel> rows() {
        return rows;
    }

    /** @return true when at least one row has text */
    public BooleanBinding hasPromptProperty() {
        return hasPrompt;
    }

    /** @return true when a row with text pulls (weight above 0): without one a run has nothing to move towards */
    public BooleanBinding hasPositivePromptProperty() {
        return hasPositivePrompt;
    }

    /** @return the negative prompt as typed: one prompt per line, each pushing the image away from its text */
    public StringProperty negativeProperty() {
        return negative;
    }
}
