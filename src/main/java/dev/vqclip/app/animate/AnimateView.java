package dev.vqclip.app.animate;

import dev.vqclip.app.core.Frames;
import dev.vqclip.engine.image.Frame;
import javafx.beans.property.StringProperty;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/**
 * The Animate panel: the plan's fields (numbers or keyframes {@code frame:value, ...}), the preview of the next
 * frame's move, Start / Pause / Resume / Stop, the frame strip and the MP4/GIF export with its progress.
 */
public final class AnimateView extends VBox {
    private static final double STRIP_SIDE = 48;

    public AnimateView(AnimateViewModel vm) {
        super(6);
        setId("animateView");
        AnimationPlanFields f = vm.fields();
        GridPane grid = new GridPane();
        grid.setHgap(6);
        grid.setVgap(4);
        row(grid, 0, "Frames", "animFrames", f.framesProperty(), "how many frames the animation has");
        row(grid, 1, "Steps per frame", "animSteps", f.stepsPerFrameProperty(), "steps of each frame after the first");
        row(grid, 2, "First frame steps", "animFirstSteps", f.firstStepsProperty(), "steps of frame 1");
        String keys = " per frame, or keyframes such as 0:1.0, 60:1.05 (linear between keys)";
        row(grid, 3, "Zoom", "animZoom", f.zoomProperty(), "zoom about the centre" + keys);
        row(grid, 4, "Rotate °", "animRotate", f.rotateProperty(), "degrees counter-clockwise" + keys);
        row(grid, 5, "Pan x px", "animPanX", f.panXProperty(), "pixels, content moves right" + keys);
        row(grid, 6, "Pan y px", "animPanY", f.panYProperty(), "pixels, content moves down" + keys);
        Label error = new Label();
        error.setId("animError");
        error.setWrapText(true);
        error.setStyle("-fx-text-fill: -color-danger-fg;");
        error.textProperty().bind(f.errorProperty());

        ImageView preview = new ImageView();
        preview.setId("animPreview");
        preview.setFitWidth(AnimationPlanFields.PREVIEW_SIDE);
        preview.setFitHeight(AnimationPlanFields.PREVIEW_SIDE);
        preview.setPreserveRatio(true);
        preview.setOpacity(0.85);
        f.previewProperty().addListener((o, a, fr) -> preview.setImage(fr == null ? null : Frames.toImage(fr, null)));
        if (f.previewProperty().get() != null) {
            preview.setImage(Frames.toImage(f.previewProperty().get(), null));
        }
        Label caption = new Label();
        caption.setId("animPreviewCaption");
        caption.setWrapText(true);
        caption.textProperty().bind(f.previewCaptionProperty());
        VBox previewBox = new VBox(2, new Label("Next frame's move"), preview, caption);

        Button start = button("Start", "animStart", vm::start);
        start.disableProperty().bind(f.errorProperty().isNotNull());
        Button pause = button("Pause", "animPause", vm::pause);
        pause.disableProperty().bind(vm.activeProperty().not());
        Button resume = button("Resume", "animResume", vm::resume);
        Button stop = button("Stop", "animStop", vm::stop);
        stop.disableProperty().bind(vm.activeProperty().not());
        Label message = new Label();
        message.setId("animMessage");
        message.textProperty().bind(vm.messageProperty());

        HBox strip = new HBox(2);
        strip.setId("animStrip");
        vm.frames().addListener((ListChangeListener<Frame>) c -> {
            strip.getChildren().clear();
            for (Frame fr : vm.frames()) {
                ImageView v = new ImageView(Frames.toImage(fr, null));
                v.setFitWidth(STRIP_SIDE);
                v.setFitHeight(STRIP_SIDE);
                v.setPreserveRatio(true);
                strip.getChildren().add(v);
            }
        });
        ScrollPane stripScroll = new ScrollPane(strip);
        stripScroll.setPrefViewportHeight(STRIP_SIDE + 4);
        stripScroll.setVbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);

        AnimationExport ex = vm.export();
        Spinner<Integer> fps = new Spinner<>(1, 120, ex.fpsProperty().get());
        fps.setId("animFps");
        fps.setPrefWidth(70);
        fps.valueProperty().addListener((o, a, v) -> ex.fpsProperty().set(v));
        Button mp4 = button("Export MP4…", "animExportMp4", () -> ex.export(".mp4"));
        Button gif = button("Export GIF…", "animExportGif", () -> ex.export(".gif"));
        ProgressBar progress = new ProgressBar();
        progress.setId("animExportProgress");
        progress.progressProperty().bind(ex.progressProperty());
        progress.visibleProperty().bind(ex.progressProperty().greaterThanOrEqualTo(0));
        mp4.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(vm.frames()));
        gif.disableProperty().bind(mp4.disableProperty());

        getChildren().addAll(grid, error, previewBox, new HBox(4, start, pause, resume, stop), message, stripScroll,
                new HBox(4, new Label("fps"), fps, mp4, gif), progress);
    }

    private static void row(GridPane g, int r, String label, String id, StringProperty p, String tip) {
        TextField t = new TextField();
        t.setId(id);
        t.setPrefColumnCount(10);
        t.textProperty().bindBidirectional(p);
        t.setTooltip(new Tooltip(tip));
        g.addRow(r, new Label(label), t);
    }

    private static Button button(String text, String id, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        return b;
    }
}
