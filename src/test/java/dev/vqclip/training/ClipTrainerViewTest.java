package dev.vqclip.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.augment.CutoutAugmenter;
import dev.vqclip.engine.augment.CutoutPlan;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ClipTrainerViewTest {
    private static final int SIDE = 64;
    // the four corners each move inward by 12 px: the picture shrinks into the middle 40 px, a 12 px frame is padding
    private static final double[] CORNERS = {12, 12, 51, 12, 51, 51, 12, 51};
    private static final ShapesWorld.Scene SCENE = new ShapesWorld.Scene(ShapesWorld.Shape.CIRCLE,
            ShapesWorld.Colour.RED, ShapesWorld.Colour.BLUE, ShapesWorld.Size.MEDIUM, ShapesWorld.Position.CENTRE);

    private static CutoutPlan plan(double hue, double saturation) {
        return new CutoutPlan(SIDE, SIDE, SIDE, List.of(new CutoutPlan.Cutout(SIDE, 0, 0, true, 10, 0.05, -0.03,
                CORNERS, hue, saturation, 0)), 3);
    }

    @Test
    void filledCornersShowTheBackgroundAndTheRestIsTheRunsView() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray img = m.create(SCENE.render(SIDE).toPlanarRgb(), new Shape(1, 3, SIDE, SIDE));
            float[] black = ClipTrainer.applyFilled(img, plan(0, 1), null).toFloatArray();
            float[] filled = ClipTrainer.applyFilled(img, plan(0, 1), ShapesWorld.Colour.BLUE).toFloatArray();
            assertThat(black).isEqualTo(CutoutAugmenter.apply(img, plan(0, 1)).toFloatArray());
            int plane = SIDE * SIDE;
            // the top left pixel is outside the moved quadrilateral: black in a run's view, the background here
            assertThat(black[0]).isEqualTo(0f);
            assertThat(filled[0]).isCloseTo(30 / 255f, within(1e-5f));
            assertThat(filled[plane]).isCloseTo(60 / 255f, within(1e-5f));
            assertThat(filled[2 * plane]).isCloseTo(220 / 255f, within(1e-5f));
            int inside = SIDE / 2 * SIDE + SIDE / 2;
            int same = 0;
            for (int i = 0; i < plane; i++) {
                boolean equal = true;
                for (int ch = 0; ch < 3; ch++) {
                    equal &= Math.abs(black[ch * plane + i] - filled[ch * plane + i]) < 1e-5f;
                }
                same += equal ? 1 : 0;
            }
            assertThat(filled[inside]).isCloseTo(black[inside], within(1e-5f));
            // the padded frame is 64² − 40² = 2496 px (give or take the bilinear edge); everything else is unchanged
            assertThat(plane - same).isBetween(2400, 2600);
        }
    }

    @Test
    void colourJitterAppliesToTheFilledCornersAsToThePicture() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray img = m.create(SCENE.render(SIDE).toPlanarRgb(), new Shape(1, 3, SIDE, SIDE));
            float[] jittered = ClipTrainer.applyFilled(img, plan(0.08, 1.1), ShapesWorld.Colour.BLUE).toFloatArray();
            float[] plain = ClipTrainer.applyFilled(img, plan(0, 1), ShapesWorld.Colour.BLUE).toFloatArray();
            float[] blackJittered = ClipTrainer.applyFilled(img, plan(0.08, 1.1), null).toFloatArray();
            int plane = SIDE * SIDE;
            int inside = SIDE / 2 * SIDE + SIDE / 2;
            // a corner is recoloured like the background it shows, and the picture is recoloured as in a run's view
            assertThat(jittered[0]).isNotCloseTo(plain[0], within(1e-3f));
            for (int ch = 0; ch < 3; ch++) {
                assertThat(jittered[ch * plane + inside]).isCloseTo(blackJittered[ch * plane + inside],
                        within(1e-5f));
            }
            float[] edge = {jittered[SIDE - 1], jittered[plane + SIDE - 1], jittered[2 * plane + SIDE - 1]};
            float[] bgPixel = {jittered[SIDE / 2 * SIDE + 14], jittered[plane + SIDE / 2 * SIDE + 14],
                jittered[2 * plane + SIDE / 2 * SIDE + 14]};
            for (int ch = 0; ch < 3; ch++) {
                assertThat(edge[ch]).isCloseTo(bgPixel[ch], within(2e-3f));
            }
        }
    }
}
