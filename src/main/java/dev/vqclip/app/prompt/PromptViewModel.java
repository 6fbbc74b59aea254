package dev.vqclip.app.prompt;

import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.session.SessionData;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.List;

/**
 * The prompt rows. The list's extractor makes text and weight edits show up as list changes, so one listener on
 * {@link #rows()} sees every edit.
 */
public final class PromptViewModel {
    private final ObservableList<PromptRowViewModel> rows = FXCollections.observableArrayList(
            r -> new Observable[] {r.textProperty(), r.weightProperty()});
    private final BooleanBinding hasPrompt = Bindings.createBooleanBinding(
            () -> rows.stream().anyMatch(r -> !r.textProperty().get().isBlank()), rows);

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

    /** @return the rows with text, as prompts (blank rows are skipped) */
    public List<Prompt> prompts() {
        List<Prompt> out = new ArrayList<>();
        for (PromptRowViewModel r : rows) {
            if (!r.textProperty().get().isBlank()) {
                out.add(new Prompt(r.textProperty().get(), r.weightProperty().get(), r.getStop()));
            }
        }
        return out;
    }

    /** @return the rows as typed */
    public List<SessionData.PromptRow> toRows() {
        return rows.stream().map(r -> new SessionData.PromptRow(r.textProperty().get(), r.weightProperty().get(),
                r.getStop())).toList();
    }

    /** Replaces all rows (at least one row remains). */
    public void setRows(List<SessionData.PromptRow> newRows) {
        List<PromptRowViewModel> list = new ArrayList<>();
        for (SessionData.PromptRow r : newRows) {
            list.add(new PromptRowViewModel(r.text(), r.weight(), r.stop()));
        }
        if (list.isEmpty()) {
            list.add(new PromptRowViewModel("", 1.0, Double.NEGATIVE_INFINITY));
        }
        rows.setAll(list);
    }

    /** Replaces all rows with prompts. */
    public void setPrompts(List<Prompt> prompts) {
        setRows(prompts.stream().map(p -> new SessionData.PromptRow(p.text(), p.weight(), p.stop())).toList());
    }

    // ---- Properties ----

    public ObservableList<PromptRowViewModel> rows() {
        return rows;
    }

    /** @return true when at least one row has text */
    public BooleanBinding hasPromptProperty() {
        return hasPrompt;
    }
}
