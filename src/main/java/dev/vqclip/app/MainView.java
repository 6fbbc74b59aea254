package dev.vqclip.app;

import dev.vqclip.app.canvas.CanvasView;
import dev.vqclip.app.history.HistoryView;
import dev.vqclip.app.paint.PaintView;
import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.app.prompt.PromptBar;
import dev.vqclip.app.prompt.PromptTimeline;
import dev.vqclip.app.prompt.PromptTimelineModel;
import dev.vqclip.app.prompt.PromptView;
import dev.vqclip.app.run.RunState;
import dev.vqclip.app.run.RunView;
import dev.vqclip.app.settings.RunSizeView;
import dev.vqclip.app.settings.SettingsView;
import javafx.beans.binding.Bindings;
import javafx.geometry.Orientation;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.controlsfx.control.StatusBar;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignE;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignR;
import org.kordamp.ikonli.materialdesign2.MaterialDesignT;
import org.kordamp.ikonli.materialdesign2.MaterialDesignU;

import java.util.function.Consumer;

/** The main window's content: menus, run controls, prompt/settings panel, canvas, loss chart, history, status. */
public final class MainView extends BorderPane {
    public MainView(StudioViewModel vm, Consumer<Boolean> darkTheme, Runnable quit) {
        setId("main");
        PromptView prompts = new PromptView(vm.prompts().rows().isEmpty() ? vm.prompts() : vm.prompts());
        javafx.scene.control.TitledPane paintPane = new javafx.scene.control.TitledPane("Paint & mask",
                new PaintView(vm.paint(), vm.coCreation()::selectByText, vm.coCreation()::replaceWith));
        paintPane.setId("paintPane");
        javafx.scene.control.TitledPane animatePane = new javafx.scene.control.TitledPane("Animate",
                new dev.vqclip.app.animate.AnimateView(vm.animate()));
        animatePane.setId("animatePane");
        animatePane.setExpanded(false);
        VBox left = new VBox(10, prompts, paintPane, animatePane, new SettingsView(vm.settings()));
        left.setStyle("-fx-padding: 8;");
        ScrollPane leftScroll = new ScrollPane(left);
        leftScroll.setFitToWidth(true);
        leftScroll.setMinWidth(300);
        leftScroll.setPrefWidth(380);
        BorderPane canvasArea = new BorderPane(new javafx.scene.layout.StackPane(
                new CanvasView(vm.canvas(), vm.paint(), vm::openImage), firstLaunchHint(vm)));
        // the tool strip scrolls in a short window instead of holding the canvas area at its own height
        ScrollPane tools0 = new ScrollPane(PaintView.toolStrip(vm.paint()));
        tools0.setId("toolStripScroll");
        tools0.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        tools0.setFitToWidth(true);
        tools0.setMinHeight(0);
        tools0.getStyleClass().add("edge-to-edge");
        canvasArea.setLeft(tools0);
        canvasArea.setMinHeight(0);
        SplitPane centerSplit = new SplitPane(canvasArea, RunView.lossChart(vm.run()));
        centerSplit.setOrientation(Orientation.VERTICAL);
        centerSplit.setDividerPositions(0.6);
        // the prompt timeline under the loss chart, outside the split so that no divider hides it
        VBox centre = new VBox(centerSplit, promptTimeline(vm));
        VBox.setVgrow(centerSplit, javafx.scene.layout.Priority.ALWAYS);
        centre.setMinHeight(0);
        SplitPane main = new SplitPane(leftScroll, centre);
        main.setDividerPositions(0.34);
        SplitPane.setResizableWithParent(leftScroll, false);
        // the centre gives way when the window is short, so the prompt bar above and the history and status bar below
        // always stay in the window (its computed minimum, canvas plus chart, would push the status bar out of a
        // 780 px window)
        main.setMinHeight(160);
        centerSplit.setMinHeight(0);

        javafx.beans.binding.BooleanBinding promptTyped = vm.prompts().hasPositivePromptProperty();
        RunView tools = new RunView(vm.run(), vm::start, vm::stepOnce, promptTyped);
        tools.setStyle("-fx-padding: 6 8 6 8; -fx-border-color: transparent transparent -color-border-default "
                + "transparent;");
        PromptBar promptBar = new PromptBar(vm.prompts(), new RunSizeView(vm.settings()), vm::start,
                vm.run().canStartProperty().and(promptTyped));
        setTop(new VBox(menus(vm, darkTheme, quit), tools, promptBar));
        setCenter(main);
        setBottom(new VBox(new HistoryView(vm.history(), vm::continueFromSelected), statusBar(vm)));

        vm.editor().setOnRevealEditor(this::reveal);
        addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.SPACE && !e.isShortcutDown()
                    && !(getScene() != null && getScene().getFocusOwner() instanceof TextInputControl)) {
                vm.run().togglePause();
                e.consume();
            } else if (!e.isShortcutDown() && !e.isAltDown() && toolKey(e.getCode()) != null
                    && !(getScene() != null && getScene().getFocusOwner() instanceof TextInputControl)) {
                vm.paint().toolProperty().set(toolKey(e.getCode()));
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE && vm.history().selectedProperty().get() != null) {
                vm.showLive();
                e.consume();
            }
        });
    }

    /**
     * Shows the editor field with this id (an undo or redo just changed it): expands the sections it is in, scrolls
     * it into view and marks it for a moment.
     */
    private void reveal(String id) {
        javafx.scene.Node n = lookup("#" + id);
        if (n == null) {
            return;
        }
        for (javafx.scene.Node p = n.getParent(); p != null; p = p.getParent()) {
            if (p instanceof javafx.scene.control.TitledPane t && !t.isExpanded()) {
                t.setExpanded(true);
            }
        }
        applyCss();
        layout();
        for (javafx.scene.Node p = n.getParent(); p != null; p = p.getParent()) {
            if (p instanceof ScrollPane sp && sp.getContent() != null) {
                javafx.scene.Node content = sp.getContent();
                javafx.geometry.Bounds b = content.sceneToLocal(n.localToScene(n.getBoundsInLocal()));
                double extra = content.getLayoutBounds().getHeight() - sp.getViewportBounds().getHeight();
                if (extra > 0) {
                    double top = sp.getVvalue() * extra;
                    double viewH = sp.getViewportBounds().getHeight();
                    if (b.getMinY() < top || b.getMaxY() > top + viewH) {
                        sp.setVvalue(Math.max(0, Math.min(1, (b.getMinY() - 24) / extra)));
                    }
                }
            }
        }
        n.getStyleClass().add("just-changed");
        javafx.animation.PauseTransition later = new javafx.animation.PauseTransition(javafx.util.Duration.seconds(1.5));
        later.setOnFinished(e -> n.getStyleClass().remove("just-changed"));
        later.play();
    }

    /** Says what to do on the empty canvas (until there is an image); clicks and drops go through to the canvas. */
    private static Label firstLaunchHint(StudioViewModel vm) {
        Label hint = new Label("Type a prompt above and press Generate (Ctrl+Enter).\n"
                + "Or drop an image here to edit it (File ▸ Open image to edit, Ctrl+Shift+O).");
        hint.setId("canvasHint");
        hint.setWrapText(true);
        hint.setTextAlignment(javafx.scene.text.TextAlignment.CENTER);
        hint.setMaxWidth(560);
        hint.getStyleClass().addAll("title-4", "text-muted");
        hint.setMouseTransparent(true);
        hint.visibleProperty().bind(vm.canvas().frameProperty().isNull());
        return hint;
    }

    /** B brush, M mask, E eraser. */
    private static PaintViewModel.Tool toolKey(KeyCode k) {
        return switch (k) {
            case B -> PaintViewModel.Tool.BRUSH;
            case M -> PaintViewModel.Tool.MASK;
            case E -> PaintViewModel.Tool.ERASER;
            default -> null;
        };
    }

    private static MenuBar menus(StudioViewModel vm, Consumer<Boolean> darkTheme, Runnable quit) {
        Menu file = new Menu("_File");
        file.setId("fileMenu");
        file.getItems().addAll(
                item("menuNew", "_New session", "Shortcut+N", MaterialDesignF.FILE_PLUS, vm.files()::newSession),
                item("menuOpen", "_Open session…", "Shortcut+O", MaterialDesignF.FOLDER_OPEN, vm.files()::open),
                item("menuOpenImage", "Open _image to edit…", "Shortcut+Shift+O", MaterialDesignF.FILE_IMAGE,
                        vm::openImage),
                item("menuSave", "_Save session", "Shortcut+S", MaterialDesignC.CONTENT_SAVE, vm.files()::save),
                item("menuSaveAs", "Save session _as…", "Shortcut+Shift+S", MaterialDesignC.CONTENT_SAVE_EDIT,
                        vm.files()::saveAs),
                new SeparatorMenuItem(),
                item("menuExportPng", "_Export frame as PNG…", "Shortcut+E", MaterialDesignE.EXPORT,
                        vm.export()::exportFrame),
                item("menuExportPng2x", "Export frame _2× upscaled…", null, null, () -> vm.export().exportFrame(2)),
                item("menuExportPng4x", "Export frame _4× upscaled…", null, null, () -> vm.export().exportFrame(4)),
                item("menuExportGif", "Export history as _GIF…", null, MaterialDesignF.FILE_GIF_BOX,
                        vm.export()::exportGif),
                item("menuExportFrames", "Export history _frames to folder…", null, MaterialDesignF.FOLDER_IMAGE,
                        vm.export()::exportFrameFolder),
                item("menuExportTimeLapse", "Export _time-lapse of this run…", null, MaterialDesignF.FILE_VIDEO,
                        vm.export().timeLapse()::export),
                new SeparatorMenuItem(),
                item("menuQuit", "_Quit", "Shortcut+Q", null, quit));
        Menu edit = new Menu("_Edit");
        MenuItem undo = item("menuUndo", "_Undo", "Shortcut+Z", MaterialDesignU.UNDO, vm.edits()::undo);
        undo.textProperty().bind(Bindings.concat("_", vm.edits().undoNameProperty())); // "Undo brush stroke"
        undo.disableProperty().bind(vm.edits().canUndoProperty().not());
        MenuItem redo = item("menuRedo", "_Redo", "Shortcut+Y", MaterialDesignR.REDO, vm.edits()::redo);
        redo.textProperty().bind(Bindings.concat("_", vm.edits().redoNameProperty()));
        redo.disableProperty().bind(vm.edits().canRedoProperty().not());
        edit.getItems().addAll(undo, redo);
        Menu run = new Menu("_Run");
        MenuItem start = item("menuStart", "_Generate", "Shortcut+Enter", null, vm::start);
        start.disableProperty().bind(vm.run().canStartProperty().not()
                .or(vm.prompts().hasPositivePromptProperty().not()));
        MenuItem toggle = item("menuPause", "_Pause / resume   (Space)", null, null, vm.run()::togglePause);
        MenuItem step = item("menuStep", "Step _once", "Shortcut+PERIOD", null, vm::stepOnce);
        step.disableProperty().bind(vm.run().stateProperty().isEqualTo(RunState.RUNNING)
                .or(vm.run().stateProperty().isEqualTo(RunState.PAUSING)));
        MenuItem stop = item("menuStop", "S_top", null, null, vm.run()::stop);
        run.getItems().addAll(start, toggle, step, stop);
        Menu view = new Menu("_View");
        CheckMenuItem dark = new CheckMenuItem("_Dark theme");
        dark.setId("menuDark");
        dark.setGraphic(new FontIcon(MaterialDesignT.THEME_LIGHT_DARK));
        dark.setAccelerator(KeyCombination.keyCombination("Shortcut+T"));
        dark.selectedProperty().addListener((o, a, b) -> darkTheme.accept(b));
        CheckMenuItem grid = new CheckMenuItem("Show latent _grid");
        grid.selectedProperty().bindBidirectional(vm.canvas().showGridProperty());
        view.getItems().addAll(
                item("menuZoomIn", "Zoom _in", "Shortcut+PLUS", null, vm.canvas()::zoomIn),
                item("menuZoomOut", "Zoom _out", "Shortcut+MINUS", null, vm.canvas()::zoomOut),
                item("menuFit", "_Fit to window", "Shortcut+0", null, vm.canvas()::fitToView),
                item("menuActual", "_Actual size", "Shortcut+1", null, vm.canvas()::actualSize),
                new SeparatorMenuItem(), grid, dark);
        Menu help = new Menu("_Help");
        MenuBar bar = new MenuBar(file, edit, run, view, help);
        help.getItems().add(item("menuDiagnostics", "_Diagnostics… (for bug reports)", null, null,
                () -> DiagnosticsDialog.show(bar.getScene() == null ? null : bar.getScene().getWindow(),
                        vm.diagnostics())));
        bar.setId("menuBar");
        return bar;
    }

    private static MenuItem item(String id, String text, String accel, org.kordamp.ikonli.Ikon icon, Runnable r) {
        MenuItem m = new MenuItem(text);
        m.setId(id);
        if (accel != null) {
            m.setAccelerator(KeyCombination.keyCombination(accel));
        }
        if (icon != null) {
            m.setGraphic(new FontIcon(icon));
        }
        m.setOnAction(e -> r.run());
        return m;
    }

    private static StatusBar statusBar(StudioViewModel vm) {
        StatusBar s = new StatusBar();
        s.setId("statusBar");
        s.textProperty().bind(vm.studio().statusProperty());
        // a status bar cuts long text off: the whole text is in the tooltip, and errors (or long text) in a dialog
        Tooltip full = new Tooltip();
        full.textProperty().bind(vm.studio().statusProperty());
        full.setWrapText(true);
        full.setMaxWidth(700);
        s.setTooltip(full);
        javafx.scene.control.Hyperlink details = new javafx.scene.control.Hyperlink("Details…");
        details.setId("statusDetails");
        details.setTooltip(new Tooltip("Show the whole message"));
        details.setOnAction(e -> vm.studio().showStatusDetails());
        details.visibleProperty().bind(vm.studio().statusIsErrorProperty().or(Bindings.createBooleanBinding(
                () -> vm.studio().statusProperty().get() != null && vm.studio().statusProperty().get().length() > 80,
                vm.studio().statusProperty())));
        details.managedProperty().bind(details.visibleProperty());
        s.getLeftItems().add(details);
        dev.vqclip.app.core.LongJob job = vm.studio().job();
        s.progressProperty().bind(Bindings.createDoubleBinding(() -> job.runningProperty().get()
                ? job.fractionProperty().get() : vm.studio().busyProperty().get() ? -1.0 : 0.0,
                job.runningProperty(), job.fractionProperty(), vm.studio().busyProperty()));
        // a long job (an export) says how far it is and how long it has left, with a Cancel beside it
        Label jobText = new Label();
        jobText.setId("jobStatus");
        jobText.textProperty().bind(job.textProperty());
        javafx.scene.control.Hyperlink cancel = new javafx.scene.control.Hyperlink("Cancel");
        cancel.setId("jobCancel");
        cancel.setTooltip(new Tooltip("Stop it: nothing half-written is left, the session stays as it is"));
        cancel.setOnAction(e -> job.cancel());
        for (javafx.scene.Node n : new javafx.scene.Node[] {jobText, cancel}) {
            n.visibleProperty().bind(job.runningProperty());
            n.managedProperty().bind(n.visibleProperty());
        }
        s.getLeftItems().addAll(jobText, cancel);
        Label engine = new Label();
        engine.setId("engineStatus");
        engine.textProperty().bind(vm.run().engine().engineDescriptionProperty());
        engine.setTooltip(new Tooltip("Models and device in use"));
        Label demo = new Label("DEMO MODEL");
        demo.setId("demoBadge");
        demo.visibleProperty().bind(vm.run().engine().demoProperty());
        demo.managedProperty().bind(demo.visibleProperty());
        demo.setStyle("-fx-text-fill: -color-warning-fg; -fx-font-weight: bold;");
        demo.setTooltip(new Tooltip("DEMO MODEL: the tiny bundled weights are in use; images show the pipeline, not "
                + "real quality (vqclip models download ... installs the published ones)"));
        Label rate = new Label();
        rate.setId("statusRate");
        rate.textProperty().bind(Bindings.format("%.2f it/s", vm.run().progress().itPerSecProperty()));
        rate.setTooltip(new Tooltip("Steps per second"));
        Label mem = new Label();
        mem.setId("memory");
        mem.textProperty().bind(vm.studio().memoryProperty());
        mem.setTooltip(new Tooltip("Java heap in use / its maximum (the models and images live in native memory)"));
        // the message on the left gets the room: the model description gives way first, the short items never
        engine.setMaxWidth(240);
        engine.setMinWidth(60);
        for (Label l : new Label[] {demo, rate, mem}) {
            l.setMinWidth(Region.USE_PREF_SIZE);
        }
        for (javafx.scene.Node n : new javafx.scene.Node[] {demo, engine, rate, mem}) {
            if (!s.getRightItems().isEmpty()) {
                s.getRightItems().add(new javafx.scene.control.Separator(Orientation.VERTICAL));
            }
            s.getRightItems().add(n);
        }
        return s;
    }

    /**
     * @return the prompt timeline under the loss chart: over the run's planned steps while a run is going or paused,
     *         else over the steps the next run will take
     */
    private static PromptTimeline promptTimeline(StudioViewModel vm) {
        var p = vm.run().progress();
        var state = vm.run().stateProperty();
        var planned = Bindings.createIntegerBinding(() -> state.get() == RunState.IDLE || state.get() == RunState.FAILED
                        ? vm.settings().stepsProperty().get()
                        : Math.max(p.totalStepsProperty().get(), p.stepProperty().get()),
                state, p.totalStepsProperty(), p.stepProperty(), vm.settings().stepsProperty());
        return new PromptTimeline(new PromptTimelineModel(vm.prompts(), planned, p.stepProperty()));
    }
}
