package dev.vqclip.app.paint;

import dev.vqclip.engine.run.LatentMask;
import dev.vqclip.session.PixelMask;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MaskGridTest {
    @Test
    void aCellIsEditableWhenAnyOfItsPixelsIs() {
        float[] px = new float[32 * 16];
        px[3 * 32 + 9] = 1f; // cell (0, 1) of an 8-pixel grid
        LatentMask m = MaskGrid.toLatent(new PixelMask(32, 16, px), 8, 0);
        assertThat(m.rows()).isEqualTo(2);
        assertThat(m.cols()).isEqualTo(4);
        assertThat(m.values()).containsExactly(0, 1, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void featherGivesSoftValuesInZeroToOneAroundTheRegion() {
        float[] cells = new float[7 * 7];
        cells[3 * 7 + 3] = 1f;
        LatentMask f = MaskGrid.feather(new LatentMask(7, 7, cells), 2);
        assertThat(f.at(3, 3)).isEqualTo(1f);
        assertThat(f.at(3, 4)).isCloseTo(1 - 1 / 3f, within(1e-6f));
        assertThat(f.at(3, 5)).isCloseTo(1 - 2 / 3f, within(1e-6f));
        assertThat(f.at(3, 6)).isZero();
        assertThat(f.at(0, 0)).isZero();
        for (float v : f.values()) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    @Test
    void invertSnapsToCellsFirst() {
        float[] px = new float[16 * 8];
        px[0] = 1f; // one pixel makes cell (0,0) editable
        PixelMask inv = MaskGrid.invert(new PixelMask(16, 8, px), 8);
        LatentMask cells = MaskGrid.toLatent(inv, 8, 0);
        assertThat(cells.values()).containsExactly(0, 1);
        assertThat(inv.values()[7 * 16 + 7]).as("the whole first cell is now kept").isZero();
        assertThat(inv.values()[7 * 16 + 8]).isEqualTo(1f);
    }

    @Test
    void cellsExpandToWholePixelBlocks() {
        PixelMask m = MaskGrid.fromCells(new float[] {0f, 0.7f}, 1, 2, 4, 8, 4);
        float[] v = m.values();
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                assertThat(v[y * 8 + x]).isEqualTo(x >= 4 ? 1f : 0f);
            }
        }
    }
}
