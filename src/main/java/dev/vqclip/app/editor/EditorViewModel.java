package dev.vqclip.app.editor;

import dev.vqclip.app.core.StudioStatus;
import dev.vqclip.app.prompt.PromptViewModel;
import dev.vqclip.app.run.RunViewModel;
import dev.vqclip.app.settings.Settings;
import dev.vqclip.app.settings.SettingsViewModel;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.models.DemoModels;
import dev.vqclip.session.SessionData;
import javafx.beans.Observable;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The editor: the prompts and settings as one {@link EditorState}, its edits recorded in the studio's
 * {@link EditHistory} (and shown again on undo, the field revealed), the image being edited, and the
 * {@link GenerationRequest} they make. Prompt and learning-rate edits go on to the run through its commands.
 */
public final class EditorViewModel {
    /** Longest side of an opened image's run, in pixels (larger images are scaled down). */
    public static final int MAX_EDIT_SIDE = 512;
    /** Opened images are sized to a multiple of this (a multiple of every VQGAN's factor in use: 8 and 16). */
    public static final int EDIT_MULTIPLE = 16;
    private final PromptViewModel prompts;
    private final SettingsViewModel settings;
    private final EditHistory edits;
    private final RunViewModel run;
    private final StudioStatus status;
    /** True while the editor's image size is the defaults' (no one typed it, no session or image set it). */
    private boolean sizeFromDefaults = true;
    /** The image being edited (File → Open Image…), or null for generation from scratch. */
    private Path initImage;
    private EditorState editor;
    private boolean applying;
    private Consumer<String> revealEditor = id -> { };

    public EditorViewModel(PromptViewModel prompts, SettingsViewModel settings, EditHistory edits, RunViewModel run,
                           StudioStatus status) {
        this.prompts = prompts;
        this.settings = settings;
        this.edits = edits;
        this.run = run;
        this.status = status;
        this.editor = editorState();
        prompts.rows().addListener((Observable o) -> editorChanged(true));
        prompts.negativeProperty().addListener((Observable o) -> editorChanged(true));
        for (Observable o : settings.observables()) {
            o.addListener(x -> editorChanged(false));
        }
        settings.widthProperty().addListener((o, a, b) -> sizeFromDefaults &= applying);
        settings.heightProperty().addListener((o, a, b) -> sizeFromDefaults &= applying);
        settings.learningRateProperty().addListener((o, a, b) -> {
            if (!applying) {
                run.live().learningRateEdited(b.doubleValue());
            }
        });
        settings.historyEveryProperty().addListener((o, a, b) -> run.live().setHistoryEvery(b.intValue()));
        run.live().setHistoryEvery(settings.historyEveryProperty().get());
        // the bundled demo models draw well at their own size only (docs/demo-models.md): an editor still at the
        // default size follows them once the engine says they are in use
        run.engine().demoProperty().addListener((o, was, isDemo) -> {
            if (isDemo) {
                fitDefaultSizeToEngine();
            }
        });
        // undoing a prompt or settings edit shows the field it changes: an undo never changes an editor out of sight
        edits.onEditor(e -> show(e.before()), e -> show(e.after()));
    }

    private void show(EditorState s) {
        EditorState before = editorState();
        apply(s, true);
        revealEditor.accept(EditorState.changedField(before, s));
    }

    /**
     * Asks the view to show an editor field that an undo or redo changed (scrolled into view, its section
     * expanded).
     *
     * @param reveal gets the field's id: {@code promptText<row>}, {@code prompts}, or a setting's id ({@code steps},
     *     {@code width}, {@code settingsAugment}, …)
     */
    public void setOnRevealEditor(Consumer<String> reveal) {
        revealEditor = reveal == null ? id -> { } : reveal;
    }

    private void editorChanged(boolean promptsChanged) {
        if (applying) {
            return;
        }
        EditorState now = editorState();
        if (!now.equals(editor)) {
            edits.record(new Edit.EditorEdit(EditorState.editName(editor, now), editor, now));
        }
        editor = now;
        status.markDirty();
        if (promptsChanged) {
            run.promptsEdited(prompts.prompts());
            if (prompts.prompts().isEmpty() && run.runningProperty().get()) {
                status.error("the prompt is empty: the run goes on with its last prompt until you type one");
            }
        }
    }

    /**
     * Shows a state in the editor without recording an edit (a session opened, a run restored, an undo).
     *
     * @param forwardToRun true: the run gets the prompts and learning rate too
     */
    public void apply(EditorState s, boolean forwardToRun) {
        applying = true;
        try {
            prompts.setRows(s.rows());
            settings.set(s.settings());
        } finally {
            applying = false;
        }
        editor = editorState();
        status.markDirty();
        if (forwardToRun) {
            run.promptsEdited(prompts.prompts());
            run.live().learningRateEdited(s.settings().learningRate());
        }
    }

    /** Empties the editor for a new session: no prompt, the default settings, no image. */
    public void clear() {
        apply(new EditorState(List.of(), defaultSettings()), false);
        sizeFromDefaults = true;
        initImage = null;
    }

    /**
     * Shows a session's or restored run's prompts and settings.
     *
     * @param settings the settings, or null for the defaults (the size then follows the engine)
     */
    public void load(List<dev.vqclip.session.SessionData.PromptRow> rows, Settings settings, Path image) {
        apply(new EditorState(rows, settings == null ? defaultSettings() : settings), false);
        sizeFromDefaults = settings == null;
        initImage = image;
    }

    /** Shows the request of a run restored from a run file (not an edit). */
    public void showRun(GenerationRequest r) {
        initImage = r.initImage();
        apply(new EditorState(PromptViewModel.rowsOf(r.prompts()), Settings.of(r)), false);
    }

    /**
     * Starts editing an image sized {@code w}×{@code h} (File → Open Image…): an empty editor gets a prompt made from
     * the file's name.
     */
    public void editImage(Path file, int w, int h) {
        initImage = file;
        settings.set(settings.get().withSize(w, h));
        sizeFromDefaults = false;
        if (prompts.prompts().isEmpty()) {
            prompts.setRows(List.of(new SessionData.PromptRow(promptFromName(file), 1.0, Double.NEGATIVE_INFINITY)));
        }
    }

    /** @return {width, height} for editing an image of this size */
    public static int[] editSize(int w, int h) {
        double scale = Math.min(1.0, (double) MAX_EDIT_SIDE / Math.max(w, h));
        int ew = Math.max(EDIT_MULTIPLE, (int) Math.round(w * scale) / EDIT_MULTIPLE * EDIT_MULTIPLE);
        int eh = Math.max(EDIT_MULTIPLE, (int) Math.round(h * scale) / EDIT_MULTIPLE * EDIT_MULTIPLE);
        return new int[] {ew, eh};
    }

    private static String promptFromName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        n = (dot > 0 ? n.substring(0, dot) : n).replace('_', ' ').replace('-', ' ').strip();
        return n.isEmpty() ? "an image" : n;
    }

    /** @return the settings a new session starts with: the paper's defaults, at the demo size on the demo models */
    public Settings defaultSettings() {
        Settings d = Settings.defaults();
        return run.engine().demoProperty().get() ? d.withSize(DemoModels.DEFAULT_SIZE, DemoModels.DEFAULT_SIZE) : d;
    }

    /**
     * Sets the editor's size to the engine's default when it still comes from the defaults (not typed, not from a
     * session or an image); not an edit.
     */
    private void fitDefaultSizeToEngine() {
        Settings cur = settings.get();
        Settings wanted = defaultSettings();
        if (!sizeFromDefaults || (cur.width() == wanted.width() && cur.height() == wanted.height())) {
            return;
        }
        applying = true;
        try {
            settings.set(cur.withSize(wanted.width(), wanted.height()));
        } finally {
            applying = false;
        }
        editor = editorState();
    }

    private EditorState editorState() {
        return new EditorState(prompts.toRows(), settings.get());
    }

    /**
     * @param keepUnmaskedPixels the paint tools' "keep unmasked pixels"
     * @return the request the editor makes, or null after showing why there is none (no prompt, a bad setting)
     */
    public GenerationRequest requestOrError(boolean keepUnmaskedPixels) {
        List<Prompt> p = prompts.prompts();
        if (p.isEmpty()) {
            run.showError("type a prompt first");
            return null;
        }
        if (!prompts.hasPositivePromptProperty().get()) {
            run.showError("type a prompt first: a negative prompt alone has nothing to move the image towards");
            return null;
        }
        try {
            prompts.checkNegative();
            return request(p, keepUnmaskedPixels);
        } catch (IllegalArgumentException e) {
            run.showError(e.getMessage());
            return null;
        }
    }

    /** @return the request as a session file keeps it, or null when the editor makes none (no prompt, a bad setting) */
    public GenerationRequest requestForFile(boolean keepUnmaskedPixels) {
        List<Prompt> p = prompts.prompts();
        try {
            return p.isEmpty() ? null : request(p, keepUnmaskedPixels);
        } catch (IllegalArgumentException ignored) {
            return null;
        }
    }

    private GenerationRequest request(List<Prompt> p, boolean keepUnmaskedPixels) {
        GenerationRequest r = settings.get().toRequest(p).withKeepUnmaskedPixels(keepUnmaskedPixels);
        return initImage == null ? r : r.withInitImage(initImage);
    }

    /** @return the image being edited, or empty */
    public Optional<Path> initImage() {
        return Optional.ofNullable(initImage);
    }

    public PromptViewModel prompts() {
        return prompts;
    }

    public SettingsViewModel settings() {
        return settings;
    }

    /** @return the studio's one undo/redo history (editor, paint and mask edits) */
    public EditHistory edits() {
        return edits;
    }
}
