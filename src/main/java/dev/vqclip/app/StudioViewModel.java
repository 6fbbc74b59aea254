package dev.vqclip.app;

import dev.vqclip.app.canvas.CanvasViewModel;
import dev.vqclip.app.history.HistoryViewModel;
import dev.vqclip.app.paint.MaskGrid;
import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.app.prompt.PromptViewModel;
import dev.vqclip.app.run.EngineWorker;
import dev.vqclip.app.run.RunState;
import dev.vqclip.app.run.RunViewModel;
import dev.vqclip.app.settings.Settings;
import dev.vqclip.app.settings.SettingsViewModel;
import dev.vqclip.engine.guide.Prompt;
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
import dev.vqclip.session.SessionStore;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.io.IOException;
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
 * disk and engine work goes through the session's {@link EngineWorker} so the UI thread never waits.
 */
public final class StudioViewModel implements RunViewModel.Outputs {
    /** Prompts and settings as one value, for undo. */
    public record EditorState(List<SessionData.PromptRow> rows, Settings settings) {
    }

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
    private final PaintViewModel paint = new PaintViewModel(canvas);
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
    private final UndoStack<EditorState> undo = new UndoStack<>(StudioViewModel::sameTypingBurst);
    private final ReadOnlyObjectWrapper<Path> sessionFile = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper();
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
    /** Set when the window closed normally: the recovery copy is gone and must not be written again. */
    private final java.util.concurrent.atomic.AtomicBoolean recoveryForgotten =
            new java.util.concurrent.atomic.AtomicBoolean();

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
        wireCoCreation();
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
                + (sessionFile.get() == null ? "untitled" : sessionFile.get().getFileName().toString())
                + (dirty.get() ? " *" : ""), sessionFile, dirty);
    }

    private void chartBranch(String b) {
        HistoryEntry from = history.branchOrigin(b);
        run.chartBranch(b, history.branchName(b), from == null ? null : from.branchId(),
                from == null ? -1 : from.step());
    }

    private void wireCoCreation() {
        paint.paintAllowedProperty().bind(Bindings.createBooleanBinding(
                () -> paintRefusal().isEmpty(), run.stateProperty(), history.selectedProperty()));
        paint.paintRefusalProperty().bind(Bindings.createStringBinding(this::paintRefusal, run.stateProperty(),
                history.selectedProperty()));
        paint.latentMaskProperty().addListener((o, a, m) -> {
            run.worker().setMask(m);
            dirty.set(true);
        });
        paint.keepUnmaskedPixelsProperty().addListener((o, a, keep) -> {
            run.worker().setKeepUnmaskedPixels(keep);
            dirty.set(true);
        });
        paint.setOnCommit(() -> {
            undoKinds.push(new Edit(true, paint.lastEditName()));
            redoKinds.clear();
            dirty.set(true);
            updateUndoNames();
        });
        run.setBeforeResume(this::handPaintToEngine);
        // the paused run keeps its last prompt, but the editor shows none: going on would not be what is shown
        run.setResumeCheck(() -> prompts.prompts().isEmpty()
                ? "the prompt is empty: type what to generate before resuming (Edit ▸ Undo brings back an edit)"
                : null);
    }

    /** @return why the brush cannot paint now, or "" when it can */
    private String paintRefusal() {
        if (history.selectedProperty().get() != null) {
            return "a history snapshot is shown: press Esc for the live image, or Continue from here to paint on it";
        }
        return switch (run.getState()) {
            case RUNNING, PAUSING -> "pause the run to paint (the mask brush works while running)";
            case LOADING -> "the models are loading: paint once they are ready";
            default -> "";
        };
    }

    /** On resume: the engine gets a copy of the painted image and writes it into z before the next step. */
    private void handPaintToEngine() {
        boolean hadPaint = canvas.paintLayerProperty().get() != null;
        PaintViewModel.Edit e = paint.takeEdit(liveFrame);
        if (hadPaint) { // handing paint over clears the stroke undo (the strokes are in z now)
            undoKinds.removeIf(Edit::layer);
            redoKinds.removeIf(Edit::layer);
            updateUndoNames();
        }
        if (e != null) {
            run.worker().applyPaint(e.edited(), e.painted(), n -> notice.set("paint written into " + n
                    + " latent cells"));
        }
    }

    // ---- Commands: co-creation ----

    /** Scores the phrase typed in "select" over the current image on the engine thread and shows the heat map. */
    public void selectByText() {
        String phrase = paint.selectPhraseProperty().get();
        if (phrase == null || phrase.isBlank()) {
            notice.set("type what to select, e.g. \"the dog\"");
            return;
        }
        busy.set(true);
        notice.set("looking for \"" + phrase.strip() + "\"…");
        run.worker().selfMask(phrase, h -> {
            busy.set(false);
            paint.showHeat(h);
            notice.set("heat map of \"" + phrase.strip() + "\": move the threshold, then Accept");
        }, e -> {
            busy.set(false);
            error("select failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        });
    }

    /**
     * "Replace with …": accepts a shown heat map as the mask, makes the phrase the only prompt and resumes (or starts
     * when there is no run).
     */
    public void replaceWith() {
        String phrase = paint.replacePhraseProperty().get();
        if (phrase == null || phrase.isBlank()) {
            notice.set("type what to put there, e.g. \"a cat\"");
            return;
        }
        if (paint.heatProperty().get() != null) {
            paint.acceptHeat();
        }
        prompts.setRows(List.of(new SessionData.PromptRow(phrase.strip(), 1.0, Double.NEGATIVE_INFINITY)));
        if (run.getState() == RunState.PAUSED) {
            run.resume();
        } else if (run.getState() != RunState.RUNNING && run.getState() != RunState.PAUSING) {
            start();
        }
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
        run.worker().background(() -> {
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
            dirty.set(true);
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
        dirty.set(true);
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
        dirty.set(true);
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
                redoKinds.push(new Edit(false, editName(s, before)));
                revealEditor.accept(changedField(before, s));
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
                undoKinds.push(new Edit(false, editName(before, s)));
                revealEditor.accept(changedField(before, s));
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

    /** @return the id of the editor field that differs between two states (see {@link #setOnRevealEditor}) */
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

    private void editorChanged(boolean promptsChanged) {
        if (applying) {
            return;
        }
        EditorState now = editorState();
        if (undo.changed(editor, now)) {
            undoKinds.push(new Edit(false, editName(editor, now)));
            redoKinds.clear();
        }
        editor = now;
        dirty.set(true);
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
        dirty.set(true);
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

    /** Typing in one row is one undo step. */
    static boolean sameTypingBurst(EditorState a, EditorState b) {
        if (a == null || b == null || !a.settings().equals(b.settings()) || a.rows().size() != b.rows().size()) {
            return false;
        }
        int diffs = 0;
        for (int i = 0; i < a.rows().size(); i++) {
            SessionData.PromptRow x = a.rows().get(i);
            SessionData.PromptRow y = b.rows().get(i);
            if (x.weight() != y.weight() || x.stop() != y.stop()) {
                return false;
            }
            if (!x.text().equals(y.text())) {
                diffs++;
            }
        }
        return diffs <= 1;
    }

    // ---- Commands: files ----

    /**
     * Runs {@code proceed} when there is no unsaved work; otherwise asks Save / Don't Save / Cancel first: Save saves
     * (asking where when the session has no file yet) and runs {@code proceed} once the save has succeeded; Don't
     * Save runs it at once; Cancel, a cancelled file chooser or a failed save runs nothing.
     *
     * @param what e.g. "the current session", for the question
     */
    public void afterUnsaved(String what, Runnable proceed) {
        if (!dirty.get()) {
            proceed.run();
            return;
        }
        switch (dialogs.askUnsaved(what)) {
            case DISCARD -> proceed.run();
            case SAVE -> {
                Optional<Path> file = sessionFile.get() != null ? Optional.of(sessionFile.get())
                        : dialogs.chooseSaveFile("Save session", SessionStore.EXTENSION,
                                "session" + SessionStore.EXTENSION);
                if (file.isEmpty()) {
                    notice.set("not saved, so nothing was closed");
                    return;
                }
                saveTo(file.get(), proceed);
            }
            case CANCEL -> {
            }
        }
    }

    /** Starts an empty session (asks first when there is unsaved work: Save, Don't Save or Cancel). */
    public void newSession() {
        afterUnsaved("the current session", this::clearSession);
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
        sessionFile.set(null);
        dirty.set(false);
        notice.set("new session");
    }

    public void open() {
        afterUnsaved("the current session",
                () -> dialogs.chooseOpenFile("Open session", SessionStore.EXTENSION).ifPresent(this::openFile));
    }

    /** Opens a session file in the background; on failure the open session stays as it is. */
    public void openFile(Path file) {
        busy.set(true);
        notice.set("opening " + file.getFileName() + "…");
        run.worker().background(() -> SessionStore.load(file), loaded -> {
            busy.set(false);
            applySession(loaded.data());
            sessionFile.set(file);
            dirty.set(false);
            notice.set(loaded.warnings().isEmpty() ? "opened " + file.getFileName()
                    : "opened " + file.getFileName() + " with problems: " + String.join("; ", loaded.warnings()));
        }, e -> {
            busy.set(false);
            fileError(file, "could not open " + file.getFileName(), e);
        });
    }

    /**
     * Opens the recovery copy that autosave or a termination signal left (the studio ended without the window
     * being closed) as an untitled session with unsaved changes: Save asks where to keep it, and closing asks
     * before discarding it.
     */
    public void recover(Path recovery) {
        busy.set(true);
        notice.set("recovering the unsaved session…");
        run.worker().background(() -> {
            SessionStore.Loaded loaded = SessionStore.load(recovery);
            return Map.entry(loaded, Files.getLastModifiedTime(recovery).toInstant());
        }, got -> {
            busy.set(false);
            applySession(got.getKey().data());
            sessionFile.set(null);
            dirty.set(true);
            String when = java.time.format.DateTimeFormatter.ofPattern("d MMM HH:mm", Locale.ROOT)
                    .format(got.getValue().atZone(java.time.ZoneId.systemDefault()));
            List<String> warnings = got.getKey().warnings();
            notice.set("recovered the session left unsaved on " + when + "; save it to keep it"
                    + (warnings.isEmpty() ? "" : " (with problems: " + String.join("; ", warnings) + ")"));
        }, e -> {
            busy.set(false);
            fileError(recovery, "could not recover the unsaved session from " + recovery, e);
        });
    }

    /**
     * The window is closing normally (the user saved, or agreed to discard): the recovery copy is no longer needed.
     * It is deleted at once (so a process that then dies leaves no copy of a discarded session), no autosave writes
     * it again, and it is deleted once more on the engine thread after any save in progress there, which could
     * otherwise move a copy into place after the first deletion.
     */
    public void forgetRecovery(Path recovery) {
        recoveryForgotten.set(true);
        try {
            Files.deleteIfExists(recovery);
        } catch (IOException e) {
            error("could not remove " + recovery + ": " + e.getMessage());
        }
        run.worker().background(() -> Files.deleteIfExists(recovery), deleted -> {
        }, e -> error("could not remove " + recovery + ": " + e.getMessage()));
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
     * @return {rows, cols, factor} of the session's run (the current one, else the newest history entry's), or null
     *         when there is none or its latent does not divide its image size evenly
     */
    static int[] latentGridOf(SessionData d) {
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
        return new int[] {s.rows(), s.cols(), w / s.cols()};
    }

    public void save() {
        if (sessionFile.get() == null) {
            saveAs();
        } else {
            saveTo(sessionFile.get());
        }
    }

    public void saveAs() {
        dialogs.chooseSaveFile("Save session", SessionStore.EXTENSION, "session" + SessionStore.EXTENSION)
                .ifPresent(this::saveTo);
    }

    /** Saves in the background (between steps); a failure leaves the previous file intact and says why. */
    public void saveTo(Path file) {
        saveTo(file, () -> { });
    }

    /** As {@link #saveTo(Path)}, then runs {@code then} on the UI thread when the save succeeded. */
    private void saveTo(Path file, Runnable then) {
        SessionData partial = sessionData(null);
        busy.set(true);
        run.worker().background(() -> {
            SessionStore.save(file, withCurrent(partial, run.worker().currentState()));
            return file;
        }, f -> {
            busy.set(false);
            sessionFile.set(f);
            dirty.set(false);
            notice.set("saved " + f.getFileName());
            then.run();
        }, e -> {
            busy.set(false);
            fileError(file, "could not save " + file.getFileName(), e);
        });
    }

    /** Saves a recovery copy when there are unsaved changes (the autosave timer calls this). */
    public void autosave(Path recovery) {
        if (!dirty.get()) {
            return;
        }
        saveRecovery(recovery, f -> notice.set("autosaved to " + f),
                e -> error("autosave to " + recovery + " failed: " + e.getMessage()));
    }

    /** Queues a save of the session as it is now to the recovery copy (after the step in progress). */
    private void saveRecovery(Path recovery, java.util.function.Consumer<Path> onSaved,
                              java.util.function.Consumer<Exception> onFailure) {
        SessionData partial = sessionData(null);
        run.worker().background(() -> {
            if (recoveryForgotten.get()) {
                return null; // the session was closed and its copy deleted meanwhile
            }
            Files.createDirectories(recovery.getParent());
            SessionStore.save(recovery, withCurrent(partial, run.worker().currentState()));
            return recovery;
        }, f -> {
            if (f != null) {
                onSaved.accept(f);
            }
        }, onFailure);
    }

    /**
     * For a termination signal (the process is ending without the window being closed): saves a recovery copy of
     * unsaved work once the step in progress has finished, then closes the engine, as {@link #close} does.
     *
     * @param done receives what happened, in words (on the UI thread, or at once when nothing was unsaved)
     */
    public void saveRecoveryAndClose(Path recovery, java.util.function.Consumer<String> done) {
        if (!dirty.get() || recoveryForgotten.get()) {
            close();
            done.accept(dirty.get() ? "the window had closed and its session was discarded" : "nothing was unsaved");
            return;
        }
        saveRecovery(recovery, f -> done.accept("the unsaved session was saved to " + f), e -> done.accept(
                "the unsaved session could not be saved to " + recovery + ": " + e.getMessage()));
        close();
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

    private static SessionData withCurrent(SessionData d, RunSnapshot current) {
        return new SessionData(d.request(), d.promptRows(), current, d.frame(), d.history(), d.branchId(), d.paint(),
                d.mask(), d.models(), d.losses());
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
        run.worker().background(() -> {
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
        run.worker().background(() -> {
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
        run.worker().background(() -> {
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
        error(what + ": " + why);
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
        memory.set(String.format(Locale.ROOT, "heap %d / %d MiB", used, rt.maxMemory() >> 20));
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
    public void started(int[] latentGrid, RunSnapshot state, boolean restored) {
        canvas.latentGridProperty().set(latentGrid);
        if (restored) {
            paint.keepUnmaskedPixelsProperty().set(state.request().keepUnmaskedPixels());
            initImage = state.request().initImage();
            applyEditor(new EditorState(PromptViewModel.rowsOf(state.request().prompts()),
                    Settings.of(state.request())), false);
        }
    }

    @Override
    public void captured(EngineWorker.Captured c) {
        history.add(c, wallClock.getAsLong(), paint.layers());
        dirty.set(true);
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
        return sessionFile.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
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
