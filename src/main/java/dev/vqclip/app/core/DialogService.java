package dev.vqclip.app.core;

import java.nio.file.Path;
import java.util.Optional;

/** Windows a view-model may ask for; tests substitute a scripted one. Called on the UI thread. */
public interface DialogService {
    /** The "extension" that asks {@link #chooseOpenFile} for any readable image (PNG, JPEG, BMP, GIF). */
    String IMAGES = "images";
    /**
     * The "extension" that asks {@link #chooseSaveFile} for a time-lapse: the name's own extension chooses the format
     * (.mp4, .gif, none for a folder of PNG frames); nothing is appended.
     */
    String VIDEO = "video";

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

    /** What to do with unsaved work before it would be lost. */
    enum Unsaved {
        /** save it, then go on (a failed or cancelled save goes no further) */
        SAVE,
        /** go on without saving */
        DISCARD,
        /** go no further: nothing happens */
        CANCEL
    }

    /**
     * Asks what to do with unsaved changes to {@code what}: Save, Don't Save or Cancel.
     *
     * @return the answer (closing the dialog is {@link Unsaved#CANCEL})
     */
    default Unsaved askUnsaved(String what) {
        return confirmDiscard(what) ? Unsaved.DISCARD : Unsaved.CANCEL;
    }
}
