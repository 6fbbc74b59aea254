package dev.vqclip.app;

import java.nio.file.Path;
import java.util.Optional;

/** Windows a view-model may ask for; tests substitute a scripted one. Called on the UI thread. */
public interface DialogService {
    /** The "extension" that asks {@link #chooseOpenFile} for any readable image (PNG, JPEG, BMP, GIF). */
    String IMAGES = "images";

    /** @return the file to write, or empty when cancelled */
    Optional<Path> chooseSaveFile(String title, String extension, String suggestedName);

    /** @return the file to open, or empty when cancelled */
    Optional<Path> chooseOpenFile(String title, String extension);

    /** @return a folder, or empty when cancelled */
    Optional<Path> chooseFolder(String title);

    /** @return true when the user agrees to lose unsaved work */
    boolean confirmDiscard(String what);

    /** Shows a message in full (an error naming its file, or a status too long for the status bar). */
    void showDetails(String title, String text);
}
