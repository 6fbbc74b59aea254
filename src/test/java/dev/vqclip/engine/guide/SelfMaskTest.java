package dev.vqclip.engine.guide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Self-masking on a synthetic image whose "embedding" is known: the embedder maps a crop to its mean colour, and the
 * phrase's target is the red direction, so the region the phrase names is exactly the red square.
 */
class SelfMaskTest {
    @Test
    void findsTheRegionThePhraseNames() {
        int side = 64;
        int factor = 8;
        float[] px = new float[3 * side * side];
        boolean[] red = new boolean[side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int i = y * side + x;
                boolean inSquare = x >= 8 && x < 32 && y >= 8 && y < 32;
                red[i] = inSquare;
                px[i] = inSquare ? 0.9f : 0.1f;                       // R
                px[side * side + i] = 0.1f;                            // G
                px[2 * side * side + i] = inSquare ? 0.1f : 0.9f;     // B
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray img = m.create(px, new Shape(1, 3, side, side));
            NDArray target = SphericalLoss.normalize(m.create(new float[] {1f, -1f, -1f}, new Shape(1, 3)));
            SelfMask.HeatMap heat = SelfMask.score(img, target,
                    crops -> crops.mean(new int[] {3}).mean(new int[] {2}).sub(0.5f), 16, factor, 64);
            float[] mask = heat.mask(1.0);
            int rows = side / factor;
            int inRegion = 0;
            int total = 0;
            int regionCells = 0;
            int regionHit = 0;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < rows; c++) {
                    boolean cellRed = red[(r * factor + factor / 2) * side + c * factor + factor / 2];
                    regionCells += cellRed ? 1 : 0;
                    if (mask[r * rows + c] > 0) {
                        total++;
                        inRegion += cellRed ? 1 : 0;
                        regionHit += cellRed ? 1 : 0;
                    }
                }
            }
            assertThat(heat.crops()).isGreaterThan(50);
            assertThat(total).as("the mask is not empty").isGreaterThan(0);
            System.out.printf("self-mask: %d cells, precision %.2f, recall %.2f%n", total, (double) inRegion / total,
                    (double) regionHit / regionCells);
            assertThat((double) inRegion / total).as("precision: mask cells on the red square").isGreaterThanOrEqualTo(0.75);
            assertThat((double) regionHit / regionCells).as("recall: red square cells in the mask").isGreaterThanOrEqualTo(0.6);
        }
    }
}
