package dev.vqclip.app.paint;

import dev.vqclip.engine.image.Frame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrushesTest {
    static final int W = 40;
    static final int H = 30;

    @Test
    void aStampChangesOnlyPixelsInsideTheReturnedRectangle() {
        int[] raster = new int[W * H];
        for (int i = 0; i < raster.length; i++) {
            raster[i] = 0x10203040 + i; // distinct so any stray write shows
        }
        int[] before = raster.clone();
        DirtyRect r = Brushes.stamp(raster, W, H, 20, 15, new BrushSettings(9, 0.5, 1.0, 0xffff0000));
        assertThat(r.isEmpty()).isFalse();
        assertThat(r.width()).isLessThanOrEqualTo(12);
        int changed = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int i = y * W + x;
                if (raster[i] != before[i]) {
                    changed++;
                    assertThat(r.contains(x, y)).as("changed pixel (%d,%d) inside %s", x, y, r).isTrue();
                }
            }
        }
        assertThat(changed).isGreaterThan(30);
        assertThat(raster[15 * W + 20]).as("the hard centre is the colour").isEqualTo(0xffff0000);
    }

    @Test
    void aStampAtTheEdgeIsClippedToTheRaster() {
        int[] raster = new int[W * H];
        DirtyRect r = Brushes.stamp(raster, W, H, 1, 1, new BrushSettings(20, 1, 1, 0xff00ff00));
        assertThat(r.x()).isZero();
        assertThat(r.y()).isZero();
        assertThat(r.x() + r.width()).isLessThanOrEqualTo(W);
        DirtyRect outside = Brushes.stamp(raster, W, H, -50, -50, new BrushSettings(4, 1, 1, 0xff00ff00));
        assertThat(outside.isEmpty()).isTrue();
    }

    @Test
    void overlappingDabsOfOneStrokeNeverExceedTheOpacity() {
        float[] cov = new float[W * H];
        DirtyRect r = DirtyRect.EMPTY;
        for (int i = 0; i < 10; i++) {
            r = r.union(Brushes.dab(cov, W, H, 20 + i * 0.5, 15, 10, 1.0));
        }
        int[] base = new int[W * H];
        int[] out = base.clone();
        Brushes.paintOver(base, cov, out, W, r, 0xff0000ff, 0.5);
        assertThat(out[15 * W + 22] >>> 24).as("alpha of a pixel under every dab").isEqualTo(128);
        assertThat(out[15 * W + 22] & 0xffffff).isEqualTo(0x0000ff);
    }

    @Test
    void softBrushFadesTowardsItsRim() {
        float[] cov = new float[W * H];
        Brushes.dab(cov, W, H, 20, 15, 20, 0.0);
        assertThat(cov[15 * W + 19]).isGreaterThan(cov[15 * W + 24]);
        assertThat(cov[15 * W + 24]).isGreaterThan(cov[15 * W + 28]);
        assertThat(cov[15 * W + 31]).isZero();
    }

    @Test
    void erasingAtFullOpacityRemovesThePaint() {
        int[] paint = new int[W * H];
        Brushes.fill(paint, W, H, new DirtyRect(0, 0, W, H), 0xffabcdef, 1.0);
        float[] cov = new float[W * H];
        DirtyRect r = Brushes.dab(cov, W, H, 10, 10, 6, 1.0);
        int[] out = paint.clone();
        Brushes.erase(paint, cov, out, W, r, 1.0);
        assertThat(out[10 * W + 10]).isZero();
        assertThat(out[0]).isEqualTo(0xffabcdef);
    }

    @Test
    void compositeLaysPaintOverTheFrameAndFlagsPaintedPixels() {
        int[] fpx = new int[W * H];
        java.util.Arrays.fill(fpx, 0xff000000);
        Frame frame = new Frame(W, H, fpx);
        int[] ppx = new int[W * H];
        ppx[5] = 0xffffffff;
        ppx[6] = 0x80ffffff;
        Frame out = Brushes.composite(frame, new Frame(W, H, ppx));
        assertThat(out.argb()[5]).isEqualTo(0xffffffff);
        assertThat(out.argb()[6]).isEqualTo(0xff808080);
        assertThat(out.argb()[7]).isEqualTo(0xff000000);
        boolean[] painted = Brushes.painted(new Frame(W, H, ppx));
        assertThat(painted[5]).isTrue();
        assertThat(painted[6]).isTrue();
        assertThat(painted[7]).isFalse();
        assertThatThrownBy(() -> Brushes.composite(frame, Brushes.emptyLayer(8, 8)))
                .hasMessageContaining("does not match");
    }

    @Test
    void fillCoversExactlyTheSelection() {
        int[] raster = new int[W * H];
        DirtyRect r = Brushes.fill(raster, W, H, DirtyRect.spanning(35, 25, 45, 28), 0xff112233, 1.0);
        assertThat(r).isEqualTo(new DirtyRect(35, 25, 5, 4));
        int n = 0;
        for (int v : raster) {
            n += v != 0 ? 1 : 0;
        }
        assertThat(n).isEqualTo(20);
    }

    @Test
    void badBrushSettingsAreRefused() {
        assertThatThrownBy(() -> new BrushSettings(0, 0.5, 1, 0)).hasMessageContaining("size");
        assertThatThrownBy(() -> new BrushSettings(5, 1.5, 1, 0)).hasMessageContaining("hardness");
    }
}
