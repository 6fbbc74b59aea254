package dev.vqclip.app.history;

import dev.vqclip.app.core.Frames;
import dev.vqclip.session.HistoryEntry;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

import java.util.HashMap;
import java.util.Map;

/** The history strip: thumbnails in a horizontal list; click to view, "Continue from here" to branch. */
public final class HistoryView extends BorderPane {
    private final Map<String, Image> thumbs = new HashMap<>();

    public HistoryView(HistoryViewModel vm, Runnable continueFromSelected) {
        setId("historyPane");
        ListView<HistoryEntry> list = new ListView<>(vm.entries());
        list.setId("history");
        list.setOrientation(Orientation.HORIZONTAL);
        list.setPrefHeight(HistoryEntry.THUMBNAIL_SIDE + 66); // thumbnail, label, prompt-change mark
        list.setTooltip(new Tooltip("Snapshots: click one to look at it (Esc: back to the live image); "
                + "\"Continue from here\" branches from it"));
        list.setCellFactory(l -> new Cell(vm));
        list.getSelectionModel().selectedItemProperty().addListener((o, a, e) -> {
            if (vm.selectedProperty().get() != e) {
                vm.selectedProperty().set(e);
            }
        });
        vm.selectedProperty().addListener((o, a, e) -> {
            if (e == null) {
                list.getSelectionModel().clearSelection();
            } else if (list.getSelectionModel().getSelectedItem() != e) {
                list.getSelectionModel().select(e);
            }
        });
        vm.entries().addListener((javafx.collections.ListChangeListener<HistoryEntry>) c -> {
            while (c.next()) {
                if (c.wasAdded() && !c.getAddedSubList().isEmpty()) {
                    list.scrollTo(c.getAddedSubList().get(c.getAddedSubList().size() - 1));
                }
            }
            if (vm.entries().isEmpty()) {
                thumbs.clear();
            }
        });
        Button branch = new Button("Continue from here", new FontIcon(MaterialDesignS.SOURCE_BRANCH));
        branch.setId("continueFromHere");
        branch.setTooltip(new Tooltip("Make the selected snapshot current on a new branch (the old branch is kept)"));
        branch.disableProperty().bind(vm.selectedProperty().isNull());
        branch.setOnAction(e -> continueFromSelected.run());
        Label current = new Label();
        current.setId("currentBranch");
        current.textProperty().bind(vm.branchProperty().concat(" (current branch)"));
        current.setTooltip(new Tooltip("New snapshots go to this branch"));
        VBox side = new VBox(6, new Label("History"), branch, current);
        side.setAlignment(Pos.TOP_LEFT);
        side.setStyle("-fx-padding: 6;");
        setLeft(side);
        setCenter(list);
    }

    private final class Cell extends ListCell<HistoryEntry> {
        private final ImageView view = new ImageView();
        private final Label label = new Label();
        /** Where the prompts changed (a span started or ended, or they were edited) since the entry before. */
        private final Label prompt = new Label();
        private final VBox box = new VBox(2, view, label, prompt);

        private final HistoryViewModel vm;

        Cell(HistoryViewModel vm) {
            this.vm = vm;
            box.setAlignment(Pos.CENTER);
            label.setStyle("-fx-font-size: 0.85em;");
            prompt.getStyleClass().add("history-prompt-change");
            prompt.setStyle("-fx-font-size: 0.85em; -fx-text-fill: -color-accent-fg; -fx-font-weight: bold;");
        }

        @Override
        protected void updateItem(HistoryEntry e, boolean empty) {
            super.updateItem(e, empty);
            if (empty || e == null) {
                setGraphic(null);
                setTooltip(null);
                setId(null);
                return;
            }
            view.setImage(thumbs.computeIfAbsent(e.id(), k -> Frames.toImage(vm.thumbnail(e), null)));
            label.setText(e.label() + " · " + e.branchId());
            PromptChanges pc = vm.promptChanges(e);
            prompt.setText(pc.mark());
            prompt.setVisible(pc.any());
            prompt.setManaged(pc.any());
            setId("history-" + e.id());
            setTooltip(new Tooltip(e.label() + " on branch " + e.branchId()
                    + (e.parentId() == null ? "" : ", after " + e.parentId())
                    + (pc.any() ? "\nPrompt changes:\n" + pc.describe() : "")));
            setGraphic(box);
        }
    }
}
