package dev.vqclip.app;

import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;

/** Help ▸ Diagnostics: the report to paste into a bug report, a copy button, and the engine's thread count. */
final class DiagnosticsDialog {
    private DiagnosticsDialog() {
    }

    /** Opens the dialog (not modal: the studio keeps running) and starts making the report. */
    static Stage show(Window owner, DiagnosticsViewModel vm) {
        TextArea text = new TextArea();
        text.setId("diagnosticsText");
        text.setEditable(false);
        text.setWrapText(false);
        text.setStyle("-fx-font-family: monospace;");
        text.textProperty().bind(vm.reportProperty());
        VBox.setVgrow(text, Priority.ALWAYS);

        Button copy = new Button("Copy to clipboard");
        copy.setId("diagnosticsCopy");
        copy.disableProperty().bind(vm.busyProperty());
        copy.setOnAction(e -> {
            ClipboardContent c = new ClipboardContent();
            c.putString(vm.reportProperty().get());
            javafx.scene.input.Clipboard.getSystemClipboard().setContent(c);
        });
        Button refresh = new Button("Check again");
        refresh.setId("diagnosticsRefresh");
        refresh.disableProperty().bind(vm.busyProperty());
        refresh.setOnAction(e -> vm.refresh());

        int cores = Runtime.getRuntime().availableProcessors();
        Spinner<Integer> threads = new Spinner<>(0, Math.max(cores * 2, 1), vm.threadsProperty().get());
        threads.setId("diagnosticsThreads");
        threads.setEditable(true);
        threads.setPrefWidth(80);
        threads.valueProperty().addListener((o, a, b) -> {
            vm.threadsProperty().set(b == null ? 0 : b);
            vm.saveThreads();
        });
        Label threadsLabel = new Label("Engine threads from the next start (0 = automatic):");
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox bottom = new HBox(8, threadsLabel, threads, gap, refresh, copy);
        bottom.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        VBox root = new VBox(8, text, bottom);
        root.setPadding(new Insets(10));
        Stage stage = new Stage();
        stage.initOwner(owner);
        stage.initModality(Modality.NONE);
        stage.setTitle("Diagnostics");
        stage.setScene(new Scene(root, 900, 560));
        if (owner != null && owner.getScene() != null) {
            stage.getScene().getStylesheets().setAll(owner.getScene().getStylesheets());
        }
        vm.refresh();
        stage.show();
        return stage;
    }
}
