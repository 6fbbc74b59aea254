package dev.vqclip.app;

import dev.vqclip.app.core.DialogService;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;

/** File choosers and confirmations as real windows, owned by the main window. */
public final class FxDialogService implements DialogService {
    private final Window owner;
    private File lastFolder;

    public FxDialogService(Window owner) {
        this.owner = owner;
    }

    @Override
    public Optional<Path> chooseSaveFile(String title, String extension, String suggestedName) {
        FileChooser fc = chooser(title, extension);
        fc.setInitialFileName(suggestedName);
        File f = fc.showSaveDialog(owner);
        if (f == null) {
            return Optional.empty();
        }
        lastFolder = f.getParentFile();
        String name = f.getName();
        return Optional.of(VIDEO.equals(extension) || name.toLowerCase(java.util.Locale.ROOT).endsWith(extension)
                ? f.toPath()
                : f.toPath().resolveSibling(name + extension));
    }

    @Override
    public Optional<Path> chooseOpenFile(String title, String extension) {
        File f = chooser(title, extension).showOpenDialog(owner);
        if (f != null) {
            lastFolder = f.getParentFile();
        }
        return Optional.ofNullable(f).map(File::toPath);
    }

    @Override
    public Optional<Path> chooseFolder(String title) {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle(title);
        if (lastFolder != null && lastFolder.isDirectory()) {
            dc.setInitialDirectory(lastFolder);
        }
        return Optional.ofNullable(dc.showDialog(owner)).map(File::toPath);
    }

    @Override
    public boolean confirmDiscard(String what) {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Discard unsaved changes to " + what + "?",
                ButtonType.YES, ButtonType.NO);
        a.initOwner(owner);
        a.setHeaderText(null);
        return a.showAndWait().filter(b -> b == ButtonType.YES).isPresent();
    }

    @Override
    public void showDetails(String title, String text) {
        javafx.scene.control.TextArea area = new javafx.scene.control.TextArea(text);
        area.setEditable(false);
        area.setWrapText(true);
        area.setPrefColumnCount(60);
        area.setPrefRowCount(Math.min(20, Math.max(4, text.length() / 60 + text.split("\n", -1).length)));
        Alert a = new Alert(Alert.AlertType.INFORMATION, null, ButtonType.CLOSE);
        a.initOwner(owner);
        a.setTitle(title);
        a.setHeaderText(title);
        a.getDialogPane().setContent(area);
        a.setResizable(true);
        a.show(); // not modal-blocking: the studio goes on, the message stays until closed
    }

    @Override
    public Unsaved askUnsaved(String what) {
        ButtonType save = new ButtonType("Save", ButtonBar.ButtonData.YES);
        ButtonType dontSave = new ButtonType("Don't Save", ButtonBar.ButtonData.NO);
        ButtonType cancel = new ButtonType("Cancel", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Save changes to " + what + " first?\n"
                + "Don't Save loses them.", save, dontSave, cancel);
        a.initOwner(owner);
        a.setTitle("Unsaved changes");
        a.setHeaderText(null);
        ButtonType b = a.showAndWait().orElse(cancel);
        return b == save ? Unsaved.SAVE : b == dontSave ? Unsaved.DISCARD : Unsaved.CANCEL;
    }

    private FileChooser chooser(String title, String extension) {
        FileChooser fc = new FileChooser();
        fc.setTitle(title);
        if (IMAGES.equals(extension)) {
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Images", "*.png", "*.jpg", "*.jpeg",
                    "*.bmp", "*.gif"));
        } else if (VIDEO.equals(extension)) {
            fc.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("MP4 video (H.264)", "*.mp4"),
                    new FileChooser.ExtensionFilter("Animated GIF", "*.gif"),
                    new FileChooser.ExtensionFilter("Folder of PNG frames (a name without extension)", "*"));
        } else {
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(extension + " files", "*" + extension));
        }
        if (lastFolder != null && lastFolder.isDirectory()) {
            fc.setInitialDirectory(lastFolder);
        }
        return fc;
    }
}
