package dev.vqclip.app;

import dev.vqclip.app.animate.AnimateViewModel;
import dev.vqclip.app.canvas.CanvasViewModel;
import dev.vqclip.app.cocreate.CoCreationViewModel;
import dev.vqclip.app.core.Captured;
import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.core.EngineProvider;
import dev.vqclip.app.core.StudioStatus;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.app.editor.EditHistory;
import dev.vqclip.app.editor.EditorViewModel;
import dev.vqclip.app.export.ExportViewModel;
import dev.vqclip.app.files.SessionFilesViewModel;
import dev.vqclip.app.history.HistoryViewModel;
import dev.vqclip.app.paint.MaskGrid;
import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.app.prompt.PromptViewModel;
import dev.vqclip.app.run.EngineWorker;
import dev.vqclip.app.run.RunOutputs;
import dev.vqclip.app.run.RunState;
import dev.vqclip.app.run.RunViewModel;
import dev.vqclip.app.settings.Settings;
import dev.vqclip.app.settings.SettingsViewModel;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.ImageMetadata;
import dev.vqclip.session.Layers;
import dev.vqclip.session.SessionData;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One studio session: the coordinator that makes the feature view-models (editor and edit history, paint,
 * co-creation, run, history, files, export), hands them the shared {@link StudioStatus}, and does what spans several
 * of them: starting a run from the editor, opening an image, continuing from a history entry, and a session as one
 * {@link SessionData}. Runs on the UI thread; disk work goes through the {@link TaskExecutor} and engine work through
 * {@link RunViewModel}'s commands, so the UI thread never waits. Views bind to the features directly
 * ({@code studio.files().save()}, {@code studio.edits().undo()}).
 */
public final class StudioViewModel implements RunOutputs {

    private final TaskExecutor executor;
    private final DiagnosticsViewModel diagnostics;
    private final DialogService dialogs;
    private final LongSupplier wallClock;
    private final StudioStatus studio;
    private final PromptViewModel prompts = new PromptViewModel();
    private final SettingsViewModel settings;
    private final CanvasViewModel canvas = new CanvasViewModel();
    private final HistoryViewModel history = new HistoryViewModel();
    private final EditHistory edits = new EditHistory();
    private final PaintViewModel paint = new PaintViewModel(canvas.layers(), edits);
    private final RunViewModel run;
    private final EditorViewModel editor;
    private final SessionFilesViewModel files;
    private final CoCreationViewModel coCreation;
    private final ExportViewModel export;
    private final AnimateViewModel animate;
    private final StringBinding title;
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
        this.studio = new StudioStatus(dialogs);
        this.run = new RunViewModel(executor, provider, this);
        this.editor = new EditorViewModel(prompts, settings, edits, run, studio);
        edits.setOnChange(studio::markDirty);
        this.files = new SessionFilesViewModel(executor, dialogs, studio, run, SessionFilesViewModel.Session.of(
                () -> sessionData(null), this::applySession, this::clearSession, this::close));
        // the loss chart draws one series per branch
        history.branchProperty().addListener((o, a, b) -> chartBranch(b));
        chartBranch(history.getBranch());
        history.selectedProperty().addListener((o, a, e) -> {
            if (e != null) {
                canvas.show(e.frame(), "history: " + e.label() + " (" + e.branchId() + ")");
            } else if (liveFrame != null) {
                canvas.show(liveFrame, "step " + run.progress().stepProperty().get());
            }
        });
        // starting or resuming returns the canvas to the live image
        run.runningProperty().addListener((o, was, now) -> {
            if (now) {
                history.selectedProperty().set(null);
            }
        });
        this.coCreation = new CoCreationViewModel(paint, run, history, prompts, studio, this::start,
                () -> liveFrame);
        // a new state of the run begins: messages about what happened before it are cleared
        run.stateProperty().addListener((o, was, now) -> {
            if (now == RunState.RUNNING && !studio.noticeProperty().get().isEmpty()) {
                studio.notice("");
            }
        });
        this.export = new ExportViewModel(executor, dialogs, studio, new ExportViewModel.Source(canvas::getFrame,
                history, () -> ImageMetadata.of(prompts.prompts(),
                        editor.requestForFile(paint.keepUnmaskedPixelsProperty().get()),
                        run.progress().stepProperty().get(), run.engine().engineDescriptionProperty().get())));
        this.animate = new AnimateViewModel(executor, dialogs, run, studio, this::beginRun, () -> { },
                canvas.frameProperty());
        studio.showRun(run.messageProperty(), run.errorProperty(), run.warningProperty());
        title = Bindings.createStringBinding(() -> "VQGAN-CLIP Studio — "
                + (files.sessionFileProperty().get() == null ? "untitled"
                        : files.sessionFileProperty().get().getFileName().toString())
                + (files.isDirty() ? " *" : ""), files.sessionFileProperty(), files.dirtyProperty());
    }

    private void chartBranch(String b) {
        HistoryEntry from = history.branchOrigin(b);
        run.chart().branch(b, history.branchName(b), from == null ? null : from.branchId(),
                from == null ? -1 : from.step());
    }

    /** File → Open Image…: asks for an image and starts editing it. */
    public void openImage() {
        dialogs.chooseOpenFile("Open image to edit", DialogService.IMAGES).ifPresent(this::openImage);
    }

    /**
     * Starts an editing session from an image (drag and drop or File → Open Image…): the run starts from the image's
     * VQGAN encoding, paused at step 0, sized like the image (scaled so its longer side is at most
     * {@value EditorViewModel#MAX_EDIT_SIDE} and rounded to multiples of {@value EditorViewModel#EDIT_MULTIPLE}).
     */
    public void openImage(Path file) {
        studio.busy(true);
        studio.notice("opening " + file.getFileName() + "…");
        executor.onEngine(() -> {
            Frame f = Images.decode(Files.readAllBytes(file), file.toString());
            int[] size = EditorViewModel.editSize(f.width(), f.height());
            // the image as the run will see it (Initialiser crops the same way), shown before the VQGAN encodes it
            return Map.entry(size, Images.coverAndCrop(f, size[0], size[1]));
        }, opened -> {
            studio.busy(false);
            int[] size = opened.getKey();
            editor.editImage(file, size[0], size[1]);
            GenerationRequest r = beginRun();
            if (r == null) {
                return;
            }
            paint.setLayers(null);
            canvas.latentGridProperty().set(null);
            // on the canvas at once; PAUSED at step 0 at once (Resume and the brush work while the engine encodes)
            liveFrame = opened.getValue();
            canvas.show(liveFrame, "step 0 (" + file.getFileName() + ")");
            run.open(r, "opened " + file.getFileName());
            studio.markDirty();
            studio.notice("editing " + file.getFileName() + " at " + size[0] + "×" + size[1]
                    + ": paint, mask, then Resume");
        }, e -> {
            studio.busy(false);
            studio.fileError(file, "could not open " + file.getFileName(), e);
        });
    }

    // ---- Commands: run ----

    /** Starts a new run from the editor's prompts and settings. */
    public void start() {
        GenerationRequest r = beginRun();
        if (r != null) {
            run.start(r);
            studio.markDirty();
        }
    }

    /** @return the editor's request with a new history root begun for it (the live image shown), or null */
    private GenerationRequest beginRun() {
        GenerationRequest r = request();
        if (r != null) {
            history.newRoot();
            history.selectedProperty().set(null);
        }
        return r;
    }

    /** Takes one step (starting a run if there is none). */
    public void stepOnce() {
        if (run.getState() == RunState.PAUSED) {
            run.stepOnce(null);
            return;
        }
        GenerationRequest r = request();
        if (r != null) {
            history.newRoot();
            run.stepOnce(r);
        }
    }

    /** Continues from the selected history entry on a new branch (the old branch is kept). */
    public void continueFromSelected() {
        HistoryEntry e = history.selectedProperty().get();
        if (e == null) {
            studio.notice("select a snapshot in the history first");
            return;
        }
        history.branchFrom(e);
        paint.setLayers(MaskGrid.layersOf(e));
        run.restore(e.snapshot());
        liveFrame = e.frame();
        // the chosen entry is now the live, paused run: leave the history view, so the brush paints on it
        history.selectedProperty().set(null);
        canvas.show(e.frame(), "step " + e.step());
        studio.markDirty();
    }

    private GenerationRequest request() {
        return editor.requestOrError(paint.keepUnmaskedPixelsProperty().get());
    }

    private void clearSession() {
        run.park(null);
        animate.load(null);
        editor.clear();
        run.chart().clear();
        history.load(List.of(), "b1");
        chartBranch("b1");
        canvas.show(null, "");
        canvas.latentGridProperty().set(null);
        paint.setLayers(null);
        liveFrame = null;
        edits.clear();
    }

    private void applySession(SessionData d) {
        editor.load(d.promptRows(), d.request() == null ? null : Settings.of(d.request()),
                d.request() == null ? null : d.request().initImage());
        run.chart().setLossCurves(d.losses());
        history.load(d.history(), d.branchId());
        chartBranch(history.getBranch());
        liveFrame = d.frame();
        canvas.show(d.frame(), d.current() == null ? "" : "step " + d.current().step());
        // the grid is known without the engine: the latent's rows and columns and the image size give the factor, so
        // the mask overlay (cells and outline) and "Show latent grid" look as they did before saving
        canvas.latentGridProperty().set(d.latentGrid());
        paint.setLayers(new Layers(d.paint(), d.mask()));
        paint.keepUnmaskedPixelsProperty().set(d.request() != null && d.request().keepUnmaskedPixels());
        edits.clear();
        run.park(d.current());
        animate.load(d.animation());
    }

    private SessionData sessionData(RunSnapshot current) {
        GenerationRequest r = editor.requestForFile(paint.keepUnmaskedPixelsProperty().get());
        Map<String, String> models = new LinkedHashMap<>();
        models.put("engine", run.engine().engineDescriptionProperty().get());
        return new SessionData(r, prompts.toRows(), current, liveFrame, new ArrayList<>(history.entries()),
                history.getBranch(), canvas.paintLayerProperty().get(), canvas.maskLayerProperty().get(), models,
                run.chart().lossCurves(), animate.toSession());
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
            editor.showRun(animate.editorRequest(state.request()));
        }
    }

    @Override
    public void captured(Captured c) {
        history.add(c, wallClock.getAsLong(), paint.layers());
        animate.captured(c);
        studio.markDirty();
    }

    @Override
    public void halted(EngineWorker.Halt why) {
        animate.halted(why);
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

    /** @return the editor (prompts, settings, the image being edited) and its undo */
    public EditorViewModel editor() {
        return editor;
    }

    /** @return the studio's one undo/redo history (Edit ▸ Undo / Redo) */
    public EditHistory edits() {
        return edits;
    }

    /** @return the co-creation feature (select by text, replace with, the paint handed to the run) */
    public CoCreationViewModel coCreation() {
        return coCreation;
    }

    /** @return the export feature (File ▸ Export) */
    public AnimateViewModel animate() {
        return animate;
    }

    public ExportViewModel export() {
        return export;
    }

    /** @return what the features share: notices, errors, busy, unsaved changes, memory */
    public StudioStatus studio() {
        return studio;
    }

    /** @return the session-files feature (new, open, save, autosave, recovery) */
    public SessionFilesViewModel files() {
        return files;
    }

    public StringBinding titleProperty() {
        return title;
    }

    /** @return the live frame (not a history view), or empty */
    public Optional<Frame> liveFrame() {
        return Optional.ofNullable(liveFrame);
    }
}
