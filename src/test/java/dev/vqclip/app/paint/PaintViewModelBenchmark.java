package dev.vqclip.app.paint;

import dev.vqclip.app.canvas.CanvasViewModel;
import dev.vqclip.engine.run.LatentGrid;
import dev.vqclip.engine.image.Frame;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one mouse-drag event costs the UI thread on a 512×512 image (brush and mask, 40 px), printed, never asserted
 * (wall time depends on the machine and its load). Tagged slow, so the normal build skips it; run with
 * {@code mvn -o test-compile surefire:test -Dtest=PaintViewModelBenchmark -Dsurefire.excludedGroups=none}.
 */
@Tag("slow")
class PaintViewModelBenchmark {
    @Test
    void timesADragEventOnA512Image() {
        CanvasViewModel big = new CanvasViewModel();
        big.show(new Frame(512, 512, new int[512 * 512]), "big");
        big.latentGridProperty().set(new LatentGrid(32, 32, 16));
        PaintViewModel p = new PaintViewModel(big.layers());
        double[] perEvent = new double[2];
        PaintViewModel.Tool[] tools = {PaintViewModel.Tool.BRUSH, PaintViewModel.Tool.MASK};
        for (int t = 0; t < 2; t++) {
            p.toolProperty().set(tools[t]);
            p.sizeProperty().set(40);
            for (int warm = 0; warm < 2; warm++) {
                p.press(10, 10);
                long t0 = System.nanoTime();
                int n = 100;
                for (int i = 1; i <= n; i++) {
                    p.drag(10 + i * 4.9, 10 + i * 4.9);
                }
                perEvent[t] = (System.nanoTime() - t0) / 1e6 / n;
                p.release(500, 500);
            }
        }
        System.out.printf(java.util.Locale.ROOT, "bench drag event on 512x512: brush %.2f ms, mask %.2f ms (wall, "
                + "mean of 100 after a warm-up pass)%n", perEvent[0], perEvent[1]);
        assertThat(big.paintLayerProperty().get()).as("the brush painted").isNotNull();
        assertThat(big.maskLayerProperty().get()).as("the mask tool masked").isNotNull();
    }
}
