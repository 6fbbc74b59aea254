package dev.vqclip.app;

import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.app.core.EngineProvider;
import dev.vqclip.app.core.Captured;
import dev.vqclip.app.canvas.CanvasViewModel;
import dev.vqclip.app.cocreate.CoCreationViewModel;
import dev.vqclip.app.files.SessionFilesViewModel;
import dev.vqclip.app.history.HistoryViewModel;
import dev.vqclip.app.paint.MaskGrid;
import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.app.prompt.PromptViewModel;
import dev.vqclip.app.run.RunState;
import dev.vqclip.app.run.RunViewModel;
import dev.vqclip.app.settings.Settings;
import dev.vqclip.app.settings.SettingsViewModel;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptParser;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.image.Upscale;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.models.DemoModels;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.ImageMetadata;
import dev.vqclip.session.Layers;
import dev.vqclip.session.SessionData;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One studio session: the feature view-models, undo of editor edits, and the file commands. Runs on the UI thread;
 * disk work goes through the session's {@link TaskExecutor} (on the engine thread, between steps) and engine work
 * through {@link RunViewModel}'s commands, so the UI thread never waits.
 */
public final class StudioViewModel implements RunViewModel.Outputs {

    private final TaskExecutor executor;
    private final DiagnosticsViewModel diagnostics;
    private final DialogService dialogs;
    private final LongSupplier wallClock;
    private final PromptViewModel prompts = new PromptViewModel();
    private final SettingsViewModel settings;
    /** True while the editor's image size is the defaults' (no one typed it, no session or image set it). */
    private boolean sizeFromDefaults = true;
    private final CanvasViewModel canvas = new CanvasViewModel();
    private final HistoryViewModel history = new HistoryViewModel();
    private final PaintViewModel paint = new PaintViewModel(canvas.layers());
    /**
     * One step of Ctrl+Z: a paint/mask edit ({@code layer}) or a prompt/settings edit, and what it was ("brush
     * stroke", "prompt edit", "steps change"), which the Edit menu names.
     */
    private record Edit(boolean layer, String name) {
    }

    /** Which tool made each undo step, newest first. */
    private final java.util.Deque<Edit> undoKinds = new java.util.ArrayDeque<>();
    private final java.util.Deque<Edit> redoKinds = new java.util.ArrayDeque<>();
    private final ReadOnlyStringWrapper undoName = new ReadOnlyStringWrapper("Undo");
    private final ReadOnlyStringWrapper redoName = new ReadOnlyStringWrapper("Redo");
    private java.util.function.Consumer<String> revealEditor = id -> { };
    /** The image being edited (File → Open Image…), or null for generation from scratch. */
    private Path initImage;
    private final RunViewModel run;
    private final UndoStack<EditorState> undo = new UndoStack<>(EditorState::sameTypingBurst);
    private final SessionFilesViewModel files;
    private final CoCreationViewModel coCreation;
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper noticeIsError = new ReadOnlyBooleanWrapper();
    private final StringBinding status;
    private final BooleanBinding statusIsError;
    private final ReadOnlyStringWrapper memory = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final StringBinding title;
    private EditorState editor;
    private boolean applying;
    private Frame liveFrame;

    public StudioViewModel(TaskExecutor executor, EngineProvider provider, DialogService dialogs) {
        this(executor, provider, dialogs, new SettingsViewModel(), System::currentTimeMillis);
    }

    public StudioViewModel(TaskExecutor executor, EngineProvider provider, DialogService dialogs,
                           SettingsViewModel settings, LongSupplier wallClock) {
        this.executor = executor;
        this.diagnostics = new DiagnosticsViewModel(executor, () -> dev.vqclip.engine.check.Diagnostics.report(
                "vqclip studio", null, dev.vqclip.engine.check.Diagnostics.probeCommand("dev.vqclip.cli.Main")));
        this.dialogs = dialogs;
        this.settings = settings;
        this.wallClock = wallClock;
        this.run = new RunViewModel(executor, provider, this);
        this.files = new SessionFilesViewModel(executor, dialogs, run, new SessionFilesViewModel.Session() {
            @Override
            public SessionData toData() {
                return sessionData(null);
            }

            @Override
            public void apply(SessionData d) {
                applySession(d);
            }

            @Override
            public void clear() {
                clearSession();
            }

            @Override
            public void notice(String text) {
                notice.set(text);
            }

            @Override
            public void error(String text) {
                StudioViewModel.this.error(text);
            }

            @Override
            public void fileError(Path file, String what, Exception e) {
                StudioViewModel.this.fileError(file, what, e);
            }

            @Override
            public void busy(boolean b) {
                busy.set(b);
            }

            @Override
            public void close() {
                StudioViewModel.this.close();
            }
        });
        this.editor = editorState();
        prompts.rows().addListener((Observable o) -> editorChanged(true));
        prompts.negativeProperty().addListener((Observable o) -> editorChanged(true));
        // the loss chart draws one series per branch
        history.branchProperty().addListener((o, a, b) -> chartBranch(b));
        chartBranch(history.getBranch());
        for (Observable o : settings.observables()) {
            o.addListener(x -> editorChanged(false));
        }
        settings.widthProperty().addListener((o, a, b) -> sizeFromDefaults &= applying);
        settings.heightProperty().addListener((o, a, b) -> sizeFromDefaults &= applying);
        settings.learningRateProperty().addListener((o, a, b) -> {
            if (!applying) {
                run.learningRateEdited(b.doubleValue());
            }
        });
        settings.historyEveryProperty().addListener((o, a, b) -> run.setHistoryEvery(b.intValue()));
        run.setHistoryEvery(settings.historyEveryProperty().get());
        history.selectedProperty().addListener((o, a, e) -> {
            if (e != null) {
                canvas.show(e.frame(), "history: " + e.label() + " (" + e.branchId() + ")");
            } else if (liveFrame != null) {
                canvas.show(liveFrame, "step " + run.stepProperty().get());
            }
        });
        // starting or resuming returns the canvas to the live image
        run.runningProperty().addListener((o, was, now) -> {
            if (now) {
                history.selectedProperty().set(null);
            }
        });
        // the bundled demo models draw well at their own size only (docs/demo-models.md): an editor still at the
        // default size follows them once the engine says they are in use
        run.demoProperty().addListener((o, was, isDemo) -> {
            if (isDemo) {
                fitDefaultSizeToEngine();
            }
        });
        this.coCreation = new CoCreationViewModel(paint, canvas.layers(), run, history, prompts,
                new CoCreationViewModel.Session() {
                    @Override
                    public void notice(String text) {
                        notice.set(text);
                    }

                    @Override
                    public void error(String text) {
                        StudioViewModel.this.error(text);
                    }

                    @Override
                    public void busy(boolean b) {
                        busy.set(b);
                    }

                    @Override
                    public void markDirty() {
                        files.markDirty();
                    }

                    @Override
                    public void layerEditCommitted(String name) {
                        undoKinds.push(new Edit(true, name));
                        redoKinds.clear();
                        files.markDirty();
                        updateUndoNames();
                    }

                    @Override
                    public void paintHandedOver() {
                        undoKinds.removeIf(Edit::layer);
                        redoKinds.removeIf(Edit::layer);
                        updateUndoNames();
                    }

                    @Override
                    public void start() {
                        StudioViewModel.this.start();
                    }

                    @Override
                    public Frame liveFrame() {
                        return liveFrame;
                    }
                });
        notice.addListener((o, a, b) -> noticeIsError.set(false)); // error() sets it again after its text
        // a stack that was emptied (paint handed to the engine, a session opened) takes its steps out of the order
        paint.canUndoProperty().addListener((o, a, can) -> forgetKinds(undoKinds, true, can));
        paint.canRedoProperty().addListener((o, a, can) -> forgetKinds(redoKinds, true, can));
        undo.canUndoProperty().addListener((o, a, can) -> forgetKinds(undoKinds, false, can));
        undo.canRedoProperty().addListener((o, a, can) -> forgetKinds(redoKinds, false, can));
        // a new state of the run begins: messages about what happened before it are cleared
        run.stateProperty().addListener((o, was, now) -> {
            if (now == RunState.RUNNING && !notice.get().isEmpty()) {
                notice.set("");
            }
        });
        status = Bindings.createStringBinding(() -> {
            String n = notice.get();
            String m = run.messageProperty().get();
            if (n == null || n.isEmpty()) {
                return m;
            }
            // an error comes first, where a narrow status bar does not cut it off
            return m == null || m.isEmpty() ? n : noticeIsError.get() ? n + "  ·  " + m : m + "  ·  " + n;
        }, notice, noticeIsError, run.messageProperty());
        statusIsError = Bindings.createBooleanBinding(() -> noticeIsError.get()
                || run.errorProperty().get() != null || run.warningProperty().get() != null,
                noticeIsError, run.errorProperty(), run.warningProperty());
        title = Bindings.createStringBinding(() -> "VQGAN-CLIP Studio — "
                + (files.sessionFileProperty().get() == null ? "untitled"
                        : files.sessionFileProperty().get().getFileName().toString())
                + (files.isDirty() ? " *" : ""), files.sessionFileProperty(), files.dirtyProperty());
    }

    private void chartBranch(String b) {
        HistoryEntry from = history.branchOrigin(b);
        run.chartBranch(b, history.branchName(b), from == null ? null : from.branchId(),
                from == null ? -1 : from.step());
    }

    // ---- Commands: co-creation (the co-creation feature does the work) ----

    /** Scores the phrase typed in "select" over the current image on the engine thread and shows the heat map. */
    public void selectByText() {
        coCreation.selectByText();
    }

    /** "Replace with …": see {@link CoCreationViewModel#replaceWith}. */
    public void replaceWith() {
        coCreation.replaceWith();
    }

    /** File → Open Image…: asks for an image and starts editing it. */
    public void openImage() {
        dialogs.chooseOpenFile("Open image to edit", DialogService.IMAGES).ifPresent(this::openImage);
    }

    /** Longest side of an opened image's run, in pixels (larger images are scaled down). */
    public static final int MAX_EDIT_SIDE = 512;
    /** Opened images are sized to a multiple of this (a multiple of every VQGAN's factor in use: 8 and 16). */
    public static final int EDIT_MULTIPLE = 16;

    /**
     * Starts an editing session from an image (drag and drop or File → Open Image…): the run starts from the image's
     * VQGAN encoding, paused at step 0, sized like the image (scaled so its longer side is at most
     * {@value #MAX_EDIT_SIDE} and rounded to multiples of {@value #EDIT_MULTIPLE}).
     */
    public void openImage(Path file) {
        busy.set(true);
        notice.set("opening " + file.getFileName() + "…");
        executor.onEngine(() -> {
            Frame f = Images.decode(Files.readAllBytes(file), file.toString());
            int[] size = editSize(f.width(), f.height());
            // the image as the run will see it (Initialiser crops the same way), shown before the VQGAN encodes it
            return Map.entry(size, Images.coverAndCrop(f, size[0], size[1]));
        }, opened -> {
            busy.set(false);
            int[] size = opened.getKey();
            initImage = file;
            Settings cur = settings.get();
            settings.set(cur.withSize(size[0], size[1]));
            sizeFromDefaults = false;
            if (prompts.prompts().isEmpty()) {
                prompts.setRows(List.of(new SessionData.PromptRow(promptFromName(file), 1.0,
                        Double.NEGATIVE_INFINITY)));
            }
            GenerationRequest r = requestOrError();
            if (r == null) {
                return;
            }
            history.newRoot();
            history.selectedProperty().set(null);
            paint.setLayers(null);
            canvas.latentGridProperty().set(null);
            // on the canvas at once; PAUSED at step 0 at once (Resume and the brush work while the engine encodes)
            liveFrame = opened.getValue();
            canvas.show(liveFrame, "step 0 (" + file.getFileName() + ")");
            run.open(r, "opened " + file.getFileName());
            files.markDirty();
            notice.set("editing " + file.getFileName() + " at " + size[0] + "×" + size[1]
                    + ": paint, mask, then Resume");
        }, e -> {
            busy.set(false);
            fileError(file, "could not open " + file.getFileName(), e);
        });
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

    /** @return the image being edited, or empty */
    public Optional<Path> initImage() {
        return Optional.ofNullable(initImage);
    }

    // ---- Commands: run ----

    /** Loads the engine in the background (call once at startup). */
    public void loadEngine() {
        run.loadEngine();
    }

    /** Starts a new run from the editor's prompts and settings. */
    public void start() {
        GenerationRequest r = requestOrError();
        if (r == null) {
            return;
        }
        history.newRoot();
        history.selectedProperty().set(null);
        run.start(r);
        files.markDirty();
    }

    /** Takes one step (starting a run if there is none). */
    public void stepOnce() {
        if (run.getState() == RunState.PAUSED) {
            run.stepOnce(null);
            return;
        }
        GenerationRequest r = requestOrError();
        if (r != null) {
            history.newRoot();
            run.stepOnce(r);
        }
    }

    /** Continues from the selected history entry on a new branch (the old branch is kept). */
    public void continueFromSelected() {
        HistoryEntry e = history.selectedProperty().get();
        if (e == null) {
            notice.set("select a snapshot in the history first");
            return;
        }
        history.branchFrom(e);
        paint.setLayers(layersOf(e));
        run.restore(e.snapshot());
        liveFrame = e.frame();
        // the chosen entry is now the live, paused run: leave the history view, so the brush paints on it
        history.selectedProperty().set(null);
        canvas.show(e.frame(), "step " + e.step());
        files.markDirty();
    }

    /**
     * @return the layers to bring back with an entry: those recorded with it, or for an entry without recorded layers
     *         (from a version-1 session file) its snapshot's latent mask scaled up to pixels and no paint
     */
    public Layers layersOf(HistoryEntry e) {
        if (e.layers() != null) {
            return e.layers();
        }
        var m = e.snapshot().mask();
        if (m == null) {
            return Layers.NONE;
        }
        int factor = Math.max(1, e.frame().width() / m.cols());
        return new Layers(null, MaskGrid.fromCells(m.values(), m.rows(), m.cols(), factor,
                e.frame().width(), e.frame().height()));
    }

    private GenerationRequest requestOrError() {
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
            GenerationRequest r = settings.get().toRequest(p)
                    .withKeepUnmaskedPixels(paint.keepUnmaskedPixelsProperty().get());
            return initImage == null ? r : r.withInitImage(initImage);
        } catch (IllegalArgumentException e) {
            run.showError(e.getMessage());
            return null;
        }
    }

    // ---- Commands: edits ----

    /**
     * Ctrl+Z: undoes the newest edit, a paint/mask stroke or a prompt/settings edit. Undoing a prompt or settings
     * edit shows the field it changes ({@link #setOnRevealEditor}): an undo never changes an editor out of sight.
     */
    public void undo() {
        Edit k = undoKinds.poll();
        boolean layer = k == null ? paint.canUndoProperty().get() && !undo.canUndoProperty().get() : k.layer();
        String name = k == null ? (layer ? "paint edit" : "edit") : k.name();
        if (layer && paint.canUndoProperty().get()) {
            paint.undo();
            redoKinds.push(new Edit(true, name));
        } else {
            EditorState before = editorState();
            EditorState s = undo.undo(before);
            if (s != null) {
                applyEditor(s, true);
                redoKinds.push(new Edit(false, EditorState.editName(s, before)));
                revealEditor.accept(EditorState.changedField(before, s));
            } else if (paint.canUndoProperty().get()) {
                paint.undo();
                redoKinds.push(new Edit(true, name));
            }
        }
        updateUndoNames();
    }

    /** Ctrl+Y: redoes what the last undo undid (showing the field, as undo does). */
    public void redo() {
        Edit k = redoKinds.poll();
        boolean layer = k == null ? paint.canRedoProperty().get() : k.layer();
        String name = k == null ? "edit" : k.name();
        if (layer && paint.canRedoProperty().get()) {
            paint.redo();
            undoKinds.push(new Edit(true, name));
        } else {
            EditorState before = editorState();
            EditorState s = undo.redo(before);
            if (s != null) {
                applyEditor(s, true);
                undoKinds.push(new Edit(false, EditorState.editName(before, s)));
                revealEditor.accept(EditorState.changedField(before, s));
            }
        }
        updateUndoNames();
    }

    private void forgetKinds(java.util.Deque<Edit> kinds, boolean layer, boolean stillThere) {
        if (!stillThere) {
            kinds.removeIf(k -> k.layer() == layer);
        }
        updateUndoNames();
    }

    private void updateUndoNames() {
        Edit u = undoKinds.peek();
        Edit r = redoKinds.peek();
        boolean canUndo = undo.canUndoProperty().get() || paint.canUndoProperty().get();
        boolean canRedo = undo.canRedoProperty().get() || paint.canRedoProperty().get();
        undoName.set(canUndo && u != null ? "Undo " + u.name() : "Undo");
        redoName.set(canRedo && r != null ? "Redo " + r.name() : "Redo");
    }

    /**
     * Asks the view to show an editor field that an undo or redo changed (scrolled into view, its section
     * expanded).
     *
     * @param reveal gets the field's id: {@code promptText<row>}, {@code prompts}, or a setting's id ({@code steps},
     *     {@code width}, {@code settingsAugment}, …)
     */
    public void setOnRevealEditor(java.util.function.Consumer<String> reveal) {
        revealEditor = reveal == null ? id -> { } : reveal;
    }

    /** @return "Undo brush stroke", "Undo prompt edit", … or "Undo" (the Edit menu's text) */
    public ReadOnlyStringProperty undoNameProperty() {
        return undoName.getReadOnlyProperty();
    }

    /** @return "Redo mask stroke", … or "Redo" */
    public ReadOnlyStringProperty redoNameProperty() {
        return redoName.getReadOnlyProperty();
    }

    private void editorChanged(boolean promptsChanged) {
        if (applying) {
            return;
        }
        EditorState now = editorState();
        if (undo.changed(editor, now)) {
            undoKinds.push(new Edit(false, EditorState.editName(editor, now)));
            redoKinds.clear();
        }
        editor = now;
        files.markDirty();
        updateUndoNames();
        if (promptsChanged) {
            run.promptsEdited(prompts.prompts());
            if (prompts.prompts().isEmpty() && run.runningProperty().get()) {
                error("the prompt is empty: the run goes on with its last prompt until you type one");
            }
        }
    }

    private void applyEditor(EditorState s, boolean forwardToRun) {
        applying = true;
        try {
            prompts.setRows(s.rows());
            settings.set(s.settings());
        } finally {
            applying = false;
        }
        editor = editorState();
        files.markDirty();
        if (forwardToRun) {
            run.promptsEdited(prompts.prompts());
            run.learningRateEdited(s.settings().learningRate());
        }
    }

    /** @return the settings a new session starts with: the paper's defaults, at the demo size on the demo models */
    Settings defaultSettings() {
        Settings d = Settings.defaults();
        return run.demoProperty().get() ? d.withSize(DemoModels.DEFAULT_SIZE, DemoModels.DEFAULT_SIZE) : d;
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

    // ---- Commands: files (the session-files feature does the work) ----

    /** @see SessionFilesViewModel#afterUnsaved */
    public void afterUnsaved(String what, Runnable proceed) {
        files.afterUnsaved(what, proceed);
    }

    public void newSession() {
        files.newSession();
    }

    public void open() {
        files.open();
    }

    public void openFile(Path file) {
        files.openFile(file);
    }

    public void recover(Path recovery) {
        files.recover(recovery);
    }

    public void forgetRecovery(Path recovery) {
        files.forgetRecovery(recovery);
    }

    public void save() {
        files.save();
    }

    public void saveAs() {
        files.saveAs();
    }

    public void saveTo(Path file) {
        files.saveTo(file);
    }

    public void autosave(Path recovery) {
        files.autosave(recovery);
    }

    public void saveRecoveryAndClose(Path recovery, java.util.function.Consumer<String> done) {
        files.saveRecoveryAndClose(recovery, done);
    }

    private void clearSession() {
        run.park(null);
        applyEditor(new EditorState(List.of(), defaultSettings()), false);
        sizeFromDefaults = true;
        run.clearChart();
        history.load(List.of(), "b1");
        chartBranch("b1");
        canvas.show(null, "");
        canvas.latentGridProperty().set(null);
        paint.setLayers(null);
        initImage = null;
        liveFrame = null;
        undo.clear();
        undoKinds.clear();
        redoKinds.clear();
        updateUndoNames();
    }

    private void applySession(SessionData d) {
        Settings s = d.request() == null ? defaultSettings() : Settings.of(d.request());
        applyEditor(new EditorState(d.promptRows(), s), false);
        sizeFromDefaults = d.request() == null;
        undo.clear();
        run.setLossCurves(d.losses());
        history.load(d.history(), d.branchId());
        chartBranch(history.getBranch());
        liveFrame = d.frame();
        canvas.show(d.frame(), d.current() == null ? "" : "step " + d.current().step());
        // the grid is known without the engine: the latent's rows and columns and the image size give the factor, so
        // the mask overlay (cells and outline) and "Show latent grid" look as they did before saving
        canvas.latentGridProperty().set(latentGridOf(d));
        paint.setLayers(new Layers(d.paint(), d.mask()));
        paint.keepUnmaskedPixelsProperty().set(d.request() != null && d.request().keepUnmaskedPixels());
        initImage = d.request() == null ? null : d.request().initImage();
        undoKinds.clear();
        redoKinds.clear();
        updateUndoNames();
        run.park(d.current());
    }

    /**
     * @return the latent grid of the session's run (the current one, else the newest history entry's), or null
     *         when there is none or its latent does not divide its image size evenly
     */
    static LatentGrid latentGridOf(SessionData d) {
        RunSnapshot s = d.current();
        if (s == null && !d.history().isEmpty()) {
            s = d.history().get(d.history().size() - 1).snapshot();
        }
        if (s == null || s.cols() < 1 || s.rows() < 1) {
            return null;
        }
        int w = s.request().width();
        int h = s.request().height();
        if (w % s.cols() != 0 || w / s.cols() != h / s.rows() || h % s.rows() != 0) {
            return null;
        }
        return new LatentGrid(s.rows(), s.cols(), w / s.cols());
    }

    private SessionData sessionData(RunSnapshot current) {
        GenerationRequest r = null;
        List<Prompt> p = prompts.prompts();
        if (!p.isEmpty()) {
            try {
                r = settings.get().toRequest(p).withKeepUnmaskedPixels(paint.keepUnmaskedPixelsProperty().get());
                r = initImage == null ? r : r.withInitImage(initImage);
            } catch (IllegalArgumentException ignored) {
                r = null;
            }
        }
        Map<String, String> models = new LinkedHashMap<>();
        models.put("engine", run.engineDescriptionProperty().get());
        return new SessionData(r, prompts.toRows(), current, liveFrame, new ArrayList<>(history.entries()),
                history.getBranch(), canvas.paintLayerProperty().get(), canvas.maskLayerProperty().get(), models,
                run.lossCurves());
    }

    // ---- Commands: export ----

    public void exportFrame() {
        exportFrame(1);
    }

    /** File → Export frame (1×, 2× or 4× upscaled): asks where, then {@link #exportFrameTo(Path, int)}. */
    public void exportFrame(int scale) {
        if (canvas.getFrame() == null) {
            notice.set("nothing to export yet");
            return;
        }
        String name = scale == 1 ? "frame.png" : "frame-" + scale + "x.png";
        dialogs.chooseSaveFile(scale == 1 ? "Export frame as PNG" : "Export frame " + scale + "× upscaled as PNG",
                ".png", name).ifPresent(f -> exportFrameTo(f, scale));
    }

    /** Writes the shown frame as PNG with prompts and settings in UTF-8 {@code iTXt} chunks ({@link ImageMetadata}). */
    public void exportFrameTo(Path file) {
        exportFrameTo(file, 1);
    }

    /**
     * Writes the shown frame as PNG with prompts and settings in UTF-8 {@code iTXt} chunks, enlarged {@code scale}
     * times with a Lanczos-3 filter ({@link Upscale}) on the engine thread; {@code vqclip.scale} then says how it was
     * enlarged from which size.
     */
    public void exportFrameTo(Path file, int scale) {
        Frame f = Objects.requireNonNull(canvas.getFrame(), "no frame");
        SessionData d = sessionData(null);
        Map<String, String> text = new LinkedHashMap<>(ImageMetadata.of(prompts.prompts(), d.request(),
                run.stepProperty().get(), run.engineDescriptionProperty().get()));
        if (scale != 1) {
            text.put("vqclip.scale", scale + "x Lanczos-3 from " + f.width() + "x" + f.height());
        }
        executor.onEngine(() -> {
            Frame out = Upscale.lanczos(f, scale);
            Png.write(file, out, text);
            return out;
        }, out -> notice.set("exported " + file.getFileName() + (scale == 1 ? "" : " at " + out.width() + "×"
                + out.height())), e -> fileError(file, "could not export " + file.getFileName(), e));
    }

    public void exportGif() {
        dialogs.chooseSaveFile("Export history as GIF", ".gif", "history.gif").ifPresent(this::exportGifTo);
    }

    /** Writes the current branch's lineage (oldest first) as an animated GIF. */
    public void exportGifTo(Path file) {
        List<Frame> frames = branchFrames();
        if (frames.isEmpty()) {
            notice.set("the history is empty");
            return;
        }
        executor.onEngine(() -> {
            Images.writeGif(file, frames, 200);
            return file;
        }, p -> notice.set("exported " + frames.size() + " frames to " + p.getFileName()),
                e -> fileError(file, "could not export " + file.getFileName(), e));
    }

    public void exportFrameFolder() {
        dialogs.chooseFolder("Export history frames to folder").ifPresent(this::exportFramesTo);
    }

    /** Writes the current branch's lineage as numbered PNGs into a folder. */
    public void exportFramesTo(Path dir) {
        List<HistoryEntry> entries = branchEntries();
        if (entries.isEmpty()) {
            notice.set("the history is empty");
            return;
        }
        executor.onEngine(() -> {
            Files.createDirectories(dir);
            int i = 0;
            for (HistoryEntry e : entries) {
                Path f = dir.resolve(String.format(Locale.ROOT, "frame-%03d-step-%05d.png", i++, e.step()));
                Png.write(f, e.frame(), Map.of());
            }
            return entries.size();
        }, n -> notice.set("exported " + n + " frames"), e -> fileError(dir, "could not export to " + dir, e));
    }

    private List<HistoryEntry> branchEntries() {
        HistoryEntry last = history.selectedProperty().get();
        if (last == null) {
            for (HistoryEntry e : history.entries()) {
                if (e.branchId().equals(history.getBranch())) {
                    last = e;
                }
            }
        }
        if (last == null && !history.entries().isEmpty()) {
            last = history.entries().get(history.entries().size() - 1);
        }
        return last == null ? List.of() : history.lineage(last);
    }

    private List<Frame> branchFrames() {
        return branchEntries().stream().map(HistoryEntry::frame).toList();
    }

    // ---- Status ----

    /** Shows an error in the status bar (in full behind its Details button). */
    private void error(String text) {
        notice.set(text);
        noticeIsError.set(true);
    }

    /**
     * An error about a file: the status bar says it, and a dialog names the file in full with the reason (a status
     * bar cuts long text off).
     */
    private void fileError(Path file, String what, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        // the status bar names the file once (the dialog gives its whole path)
        String shortWhy = why;
        for (String p : new String[] {file.toAbsolutePath().toString(), file.toString()}) {
            if (shortWhy.startsWith(p + ": ")) {
                shortWhy = shortWhy.substring(p.length() + 2);
            }
        }
        error(what + ": " + shortWhy);
        dialogs.showDetails(capitalised(what), "File: " + file.toAbsolutePath() + "\n\n" + why);
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Status bar → Details: the whole status text in a dialog. */
    public void showStatusDetails() {
        dialogs.showDetails(statusIsError.get() ? "Error" : "Status", status.get());
    }

    /** Updates the memory figure (the view calls this every second). */
    public void refreshMemory() {
        Runtime rt = Runtime.getRuntime();
        long used = (rt.totalMemory() - rt.freeMemory()) >> 20;
        memory.set(String.format(Locale.ROOT, "%d/%d MiB", used, rt.maxMemory() >> 20));
    }

    /** Frees the run and the engine (queued after pending saves). */
    public void close() {
        run.close();
        executor.shutdown();
    }

    // ---- Engine results (UI thread) ----

    @Override
    public void frame(Frame f, int step) {
        liveFrame = f;
        if (history.selectedProperty().get() != null) {
            return; // the user is looking at a snapshot; Esc or Resume returns to the live image
        }
        canvas.show(f, "step " + step);
    }

    /** Leaves the history view and shows the live image again. */
    public void showLive() {
        history.selectedProperty().set(null);
    }

    @Override
    public void started(LatentGrid latentGrid, RunSnapshot state, boolean restored) {
        canvas.latentGridProperty().set(latentGrid);
        if (restored) {
            paint.keepUnmaskedPixelsProperty().set(state.request().keepUnmaskedPixels());
            initImage = state.request().initImage();
            applyEditor(new EditorState(PromptViewModel.rowsOf(state.request().prompts()),
                    Settings.of(state.request())), false);
        }
    }

    @Override
    public void captured(Captured c) {
        history.add(c, wallClock.getAsLong(), paint.layers());
        files.markDirty();
    }

    // ---- Properties ----

    public PromptViewModel prompts() {
        return prompts;
    }

    public SettingsViewModel settings() {
        return settings;
    }

    public CanvasViewModel canvas() {
        return canvas;
    }

    public HistoryViewModel history() {
        return history;
    }

    public PaintViewModel paint() {
        return paint;
    }

    public RunViewModel run() {
        return run;
    }

    /** @return the diagnostics dialog's state (the report is made on the engine thread) */
    public DiagnosticsViewModel diagnostics() {
        return diagnostics;
    }

    public UndoStack<EditorState> undoStack() {
        return undo;
    }

    public ReadOnlyObjectProperty<Path> sessionFileProperty() {
        return files.sessionFileProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return files.dirtyProperty();
    }

    /** @return the session-files feature (new, open, save, autosave, recovery) */
    public SessionFilesViewModel files() {
        return files;
    }

    /** @return the status bar's text in full: the run's message and the last notice */
    public StringBinding statusProperty() {
        return status;
    }

    /** @return true when the status is an error (or a run that paused by itself): the view offers Details */
    public BooleanBinding statusIsErrorProperty() {
        return statusIsError;
    }

    /** @return the last file/export message (not an error dialog) */
    public ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty memoryProperty() {
        return memory.getReadOnlyProperty();
    }

    /** @return true while a save or open is in progress */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public StringBinding titleProperty() {
        return title;
    }

    /** @return the live frame (not a history view), or empty */
    public Optional<Frame> liveFrame() {
        return Optional.ofNullable(liveFrame);
    }
}
