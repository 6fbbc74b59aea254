package dev.vqclip.engine.run;

import dev.vqclip.engine.image.Frame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Keyframed values and the camera move of the animation loop, on pixels. */
class AnimationPlanTest {
    /** A white 4x4 block centred at (cx, cy) on black. */
    private static Frame block(int w, int h, int cx, int cy) {
        int[] px = new int[w * h];
        java.util.Arrays.fill(px, 0xff000000);
        for (int y = cy - 2; y < cy + 2; y++) {
            for (int x = cx - 2; x < cx + 2; x++) {
                px[y * w + x] = 0xffffffff;
            }
        }
        return new Frame(w, h, px);
    }

    /** @return the brightness-weighted centre {x, y} */
    private static double[] centroid(Frame f) {
        double sx = 0;
        double sy = 0;
        double s = 0;
        for (int y = 0; y < f.height(); y++) {
            for (int x = 0; x < f.width(); x++) {
                double v = f.pixel(x, y) & 0xff;
                sx += v * x;
                sy += v * y;
                s += v;
            }
        }
        return new double[] {sx / s, sy / s};
    }

    @Test
    void keyframesInterpolateLinearlyAndHoldOutsideTheirKeys() {
        Keyframes k = Keyframes.parse("10:1.0, 20:2.0, 40:0", "--zoom");
        assertThat(k.at(0)).isEqualTo(1.0);
        assertThat(k.at(10)).isEqualTo(1.0);
        assertThat(k.at(15)).isEqualTo(1.5);
        assertThat(k.at(30)).isEqualTo(1.0);
        assertThat(k.at(99)).isEqualTo(0.0);
        assertThat(Keyframes.parse(k.toSpec(), "x")).isEqualTo(k);
        assertThat(Keyframes.parse("1.02", "--zoom").at(57)).isEqualTo(1.02);
        assertThat(Keyframes.parse("1.02", "--zoom").toSpec()).isEqualTo("1.02");
    }

    @Test
    void malformedKeyframesNameTheirPart() {
        assertThatThrownBy(() -> Keyframes.parse("0:1, x:2", "--zoom")).hasMessage(
                "--zoom \"0:1, x:2\": 'x' is not a frame number");
        assertThatThrownBy(() -> Keyframes.parse("0:1, 5:abc", "--rotate")).hasMessage(
                "--rotate \"0:1, 5:abc\": 'abc' is not a finite number");
        assertThatThrownBy(() -> Keyframes.parse("0:1, 0:2", "--pan-x")).hasMessageContaining("frame 0 is given twice");
        assertThatThrownBy(() -> Keyframes.parse("NaN", "--zoom")).hasMessageContaining("'NaN' is not a finite number");
        assertThatThrownBy(() -> new Animation(5, 1, 1, Keyframes.parse("0:1,3:0", "z"), Keyframes.constant(0),
                Keyframes.constant(0), Keyframes.constant(0))).hasMessageContaining("zoom must stay in (0, 100]");
    }

    @Test
    void zoomMovesContentAwayFromTheCentre() {
        Frame f = block(64, 64, 42, 32);
        double[] before = centroid(f);
        double[] after = centroid(new FrameTransform(1.5, 0, 0, 0).apply(f));
        double cx = 31.5;
        assertThat(after[0] - cx).isCloseTo(1.5 * (before[0] - cx), within(0.3));
        assertThat(after[1] - 31.5).isCloseTo(1.5 * (before[1] - 31.5), within(0.3));
        // and a zoom below 1 moves it inwards
        assertThat(centroid(new FrameTransform(0.5, 0, 0, 0).apply(f))[0] - cx).isCloseTo(0.5 * (before[0] - cx),
                within(0.3));
    }

    @Test
    void rotationTurnsCounterClockwiseOnScreenAndPanShifts() {
        Frame f = block(64, 64, 46, 32);
        double[] before = centroid(f);
        double[] turned = centroid(new FrameTransform(1, 90, 0, 0).apply(f));
        // right of the centre goes to above it (screen y grows downwards)
        assertThat(turned[0]).isCloseTo(31.5, within(0.3));
        assertThat(turned[1]).isCloseTo(31.5 - (before[0] - 31.5), within(0.3));
        double[] panned = centroid(new FrameTransform(1, 0, 3, -2).apply(f));
        assertThat(panned[0]).isCloseTo(before[0] + 3, within(0.01));
        assertThat(panned[1]).isCloseTo(before[1] - 2, within(0.01));
        assertThat(new FrameTransform(1, 0, 0, 0).apply(f).argb()).isEqualTo(f.argb());
    }

    @Test
    void theFirstFrameTakesItsOwnStepsAndEachFrameItsOwnSeed() {
        Animation a = new Animation(24, 10, 100, Keyframes.parse("0:1,12:1.1", "z"), Keyframes.constant(2),
                Keyframes.constant(0), Keyframes.constant(1));
        assertThat(a.stepsOf(0)).isEqualTo(100);
        assertThat(a.stepsOf(1)).isEqualTo(10);
        assertThat(a.moveInto(6).zoom()).isCloseTo(1.05, within(1e-12));
        assertThat(a.moveInto(6).rotate()).isEqualTo(2);
        assertThat(Animation.seedOf(7, 3)).isNotEqualTo(Animation.seedOf(7, 4));
        assertThat(a.withFrames(30).frames()).isEqualTo(30);
        assertThatThrownBy(() -> a.withFrames(0)).hasMessageContaining("frames must be 1..");
    }
}
