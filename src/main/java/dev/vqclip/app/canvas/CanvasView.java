package dev.vqclip.app.canvas;

import dev.vqclip.app.core.Frames;
import dev.vqclip.app.paint.DirtyRect;
import dev.vqclip.app.paint.MaskGrid;
import dev.vqclip.app.paint.PaintViewModel;
import dev.vqclip.engine.guide.SelfMask;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.session.PixelMask;
import javafx.geometry.Pos;
import javafx.scene.Group;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignG;
import org.kordamp.ikonli.materialdesign2.MaterialDesignM;
import org.kordamp.ikonli.materialdesign2.MaterialDesignN;

/**
 * The canvas: frame, paint layer and mask/grid overlay stacked in one scaled group inside a pannable scroll pane.
 * Binds to a {@link CanvasViewModel}; converts frames to images and draws overlays, nothing else.
 */
public final class CanvasView extends BorderPane {
    private final CanvasViewModel vm;
    private final ImageView frameView = new ImageView();
    private final ImageView paintView = new ImageView();
    private final Canvas overlay = new Canvas(1, 1);
    private final StackPane layers = new StackPane(frameView, paintView, overlay);
    private final ScrollPane scroll = new ScrollPane();
    private WritableImage frameImage;
    private WritableImage paintImage;
    private final PaintViewModel paint;

    public CanvasView(CanvasViewModel vm) {
        this(vm, null, null);
    }

    /**
     * @param paint the paint/mask tools (null: a view-only canvas)
     * @param dropImage called with an image file dropped onto the canvas (null: no drop)
     */
    public CanvasView(CanvasViewModel vm, PaintViewModel paint, java.util.function.Consumer<java.nio.file.Path>
            dropImage) {
        this.vm = vm;
        this.paint = paint;
        setId("canvas");
        frameView.setId("canvasImage");
        frameView.setSmooth(false);
        paintView.setSmooth(false);
        overlay.setMouseTransparent(true);
        layers.setAlignment(Pos.TOP_LEFT);
        Group group = new Group(layers);
        StackPane center = new StackPane(group);
        center.setMinSize(0, 0);
        scroll.setContent(center);
        scroll.setPannable(true);
        scroll.setFitToWidth(true);
        scroll.setFitToHeight(true);
        scroll.getStyleClass().add("edge-to-edge");
        center.minWidthProperty().bind(scroll.widthProperty().subtract(2));
        center.minHeightProperty().bind(scroll.heightProperty().subtract(2));
        setCenter(scroll);
        setBottom(toolbar());
        // the scroll's content is at least the viewport (above), so left to itself the view could only grow; with no
        // minimum it shrinks with the window and the scroll bars take over
        scroll.setMinSize(0, 0);
        setMinSize(0, 0);

        layers.scaleXProperty().bind(vm.zoomProperty());
        layers.scaleYProperty().bind(vm.zoomProperty());
        vm.frameProperty().addListener((o, a, f) -> showFrame(f));
        vm.paintLayerProperty().addListener((o, a, p) -> {
            paintImage = p == null ? null : Frames.toImage(p, paintImage);
            paintView.setImage(paintImage);
        });
        vm.latentGridProperty().addListener(o -> drawOverlay());
        vm.maskLayerProperty().addListener(o -> drawOverlay());
        vm.showGridProperty().addListener(o -> drawOverlay());
        vm.showMaskProperty().addListener(o -> drawOverlay());
        vm.fitProperty().addListener(o -> refit());
        scroll.viewportBoundsProperty().addListener(o -> refit());
        setOnScroll(e -> {
            if (e.isControlDown()) {
                if (e.getDeltaY() > 0) {
                    vm.zoomIn();
                } else if (e.getDeltaY() < 0) {
                    vm.zoomOut();
                }
                e.consume();
            }
        });
        if (paint != null) {
            wirePaint(paint);
        }
        if (dropImage != null) {
            setOnDragOver(e -> {
                if (e.getDragboard().hasFiles()) {
                    e.acceptTransferModes(TransferMode.COPY);
                }
                e.consume();
            });
            setOnDragDropped(e -> {
                boolean ok = e.getDragboard().hasFiles() && !e.getDragboard().getFiles().isEmpty();
                if (ok) {
                    dropImage.accept(e.getDragboard().getFiles().get(0).toPath());
                }
                e.setDropCompleted(ok);
                e.consume();
            });
        }
        showFrame(vm.getFrame());
    }

    private void wirePaint(PaintViewModel p) {
        scroll.pannableProperty().bind(p.toolProperty().isEqualTo(PaintViewModel.Tool.PAN));
        layers.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (p.toolProperty().get() != PaintViewModel.Tool.PAN && e.getButton() == MouseButton.PRIMARY) {
                p.press(e.getX(), e.getY());
                e.consume();
            }
        });
        layers.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (p.isStroking()) {
                p.drag(e.getX(), e.getY());
                e.consume();
            }
        });
        layers.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            if (p.isStroking()) {
                p.release(e.getX(), e.getY());
                e.consume();
            }
        });
        p.featherProperty().addListener(o -> drawOverlay());
        p.byText().heat().addListener(o -> drawOverlay());
        p.byText().threshold().addListener(o -> drawOverlay());
        p.selectionProperty().addListener(o -> drawOverlay());
    }

    private HBox toolbar() {
        Button in = iconButton("zoomIn", MaterialDesignM.MAGNIFY_PLUS, "Zoom in (Ctrl+wheel)");
        in.setOnAction(e -> vm.zoomIn());
        Button out = iconButton("zoomOut", MaterialDesignM.MAGNIFY_MINUS, "Zoom out (Ctrl+wheel)");
        out.setOnAction(e -> vm.zoomOut());
        Button fit = iconButton("fit", MaterialDesignF.FIT_TO_PAGE_OUTLINE, "Fit the image to the view");
        fit.setOnAction(e -> vm.fitToView());
        Button one = iconButton("actualSize", MaterialDesignN.NUMERIC_1_BOX_OUTLINE, "Actual size (100%)");
        one.setOnAction(e -> vm.actualSize());
        ToggleButton grid = new ToggleButton(null, new FontIcon(MaterialDesignG.GRID));
        grid.setId("showGrid");
        grid.setTooltip(new Tooltip("Show the latent token grid (one cell per VQGAN code)"));
        grid.selectedProperty().bindBidirectional(vm.showGridProperty());
        Label zoom = new Label();
        zoom.setId("zoomLabel");
        zoom.textProperty().bind(vm.zoomProperty().multiply(100).asString("%.0f%%"));
        zoom.setTooltip(new Tooltip("Zoom"));
        Label caption = new Label();
        caption.setId("canvasCaption");
        caption.textProperty().bind(vm.captionProperty());
        caption.setTooltip(new Tooltip("What the canvas shows"));
        Region spring = new Region();
        HBox.setHgrow(spring, Priority.ALWAYS);
        HBox bar = new HBox(6, caption, spring, zoom, out, in, one, fit, grid);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setStyle("-fx-padding: 4 8 4 8;");
        return bar;
    }

    static Button iconButton(String id, org.kordamp.ikonli.Ikon icon, String tip) {
        Button b = new Button(null, new FontIcon(icon));
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.getStyleClass().addAll("button-icon", "flat");
        return b;
    }

    private void showFrame(Frame f) {
        if (f == null) {
            frameView.setImage(null);
            frameImage = null;
        } else {
            frameImage = Frames.toImage(f, frameImage);
            frameView.setImage(frameImage);
            if (overlay.getWidth() != f.width() || overlay.getHeight() != f.height()) {
                overlay.setWidth(f.width());
                overlay.setHeight(f.height());
                drawOverlay();
            }
        }
        refit();
    }

    private void refit() {
        Frame f = vm.getFrame();
        if (f == null || !vm.fitProperty().get()) {
            return;
        }
        double w = scroll.getViewportBounds().getWidth();
        double h = scroll.getViewportBounds().getHeight();
        if (w > 1 && h > 1) {
            vm.fittedZoom(Math.min(w / f.width(), h / f.height()) * 0.98);
        }
    }

    private void drawOverlay() {
        GraphicsContext g = overlay.getGraphicsContext2D();
        g.clearRect(0, 0, overlay.getWidth(), overlay.getHeight());
        PixelMask m = vm.maskLayerProperty().get();
        LatentGrid grid = vm.latentGridProperty().get();
        if (m != null && vm.showMaskProperty().get()) {
            int factor = grid != null ? grid.factor() : 0;
            if (factor > 0 && m.width() / factor == grid.cols() && m.height() / factor == grid.rows()) {
                drawCellMask(g, MaskGrid.toLatent(m, factor, paint == null ? 0 : paint.featherProperty().get()),
                        factor);
            } else {
                drawPixelMask(g, m);
            }
        }
        if (paint != null && paint.byText().heat().get() != null && grid != null) {
            drawHeat(g, paint.byText().heat().get(), paint.byText().threshold().get(), grid.factor());
        }
        if (paint != null && paint.selectionProperty().get() != null) {
            DirtyRect r = paint.selectionProperty().get();
            g.setStroke(Color.rgb(255, 255, 255, 0.9));
            g.setLineWidth(1);
            g.setLineDashes(3, 3);
            g.strokeRect(r.x() + 0.5, r.y() + 0.5, r.width() - 1, r.height() - 1);
            g.setLineDashes();
        }
        if (grid != null && vm.showGridProperty().get()) {
            g.setStroke(Color.rgb(255, 255, 255, 0.35));
            g.setLineWidth(0.5);
            int factor = grid.factor();
            for (int r = 0; r <= grid.rows(); r++) {
                g.strokeLine(0, r * factor, grid.cols() * factor, r * factor);
            }
            for (int c = 0; c <= grid.cols(); c++) {
                g.strokeLine(c * factor, 0, c * factor, grid.rows() * factor);
            }
        }
    }

    /** Tints cells the run may not change (stronger = less editable) and outlines the editable region. */
    private static void drawCellMask(GraphicsContext g, LatentMask lm, int factor) {
        for (int r = 0; r < lm.rows(); r++) {
            for (int c = 0; c < lm.cols(); c++) {
                float v = lm.at(r, c);
                if (v < 1f) {
                    g.setFill(Color.rgb(255, 40, 40, 0.45 * (1 - v)));
                    g.fillRect(c * factor, r * factor, factor, factor);
                }
            }
        }
        g.setStroke(Color.rgb(255, 230, 0, 0.9));
        g.setLineWidth(1);
        for (int r = 0; r < lm.rows(); r++) {
            for (int c = 0; c < lm.cols(); c++) {
                boolean in = lm.at(r, c) > 0;
                if (c + 1 < lm.cols() && in != lm.at(r, c + 1) > 0) {
                    g.strokeLine((c + 1) * factor, r * factor, (c + 1) * factor, (r + 1) * factor);
                }
                if (r + 1 < lm.rows() && in != lm.at(r + 1, c) > 0) {
                    g.strokeLine(c * factor, (r + 1) * factor, (c + 1) * factor, (r + 1) * factor);
                }
            }
        }
    }

    private static void drawPixelMask(GraphicsContext g, PixelMask m) {
        float[] v = m.values();
        g.setFill(Color.rgb(255, 40, 40, 0.35));
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                if (v[y * m.width() + x] < 0.5f) {
                    g.fillRect(x, y, 1, 1);
                }
            }
        }
    }

    /** Selected cells (z-score ≥ threshold) in green, the rest shaded by their score. */
    private static void drawHeat(GraphicsContext g, SelfMask.HeatMap h, double threshold, int factor) {
        float[] z = h.zscores();
        for (int r = 0; r < h.rows(); r++) {
            for (int c = 0; c < h.cols(); c++) {
                double s = z[r * h.cols() + c];
                if (s >= threshold) {
                    g.setFill(Color.rgb(40, 220, 90, 0.55));
                } else {
                    double t = Math.max(0, Math.min(1, (s + 2) / 4));
                    g.setFill(Color.rgb(40, 90, 255, 0.15 + 0.35 * t));
                }
                g.fillRect(c * factor, r * factor, factor, factor);
            }
        }
    }
}
