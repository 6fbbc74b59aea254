package dev.vqclip.training;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.training.ShapesWorld.Colour;
import org.junit.jupiter.api.Test;

import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The pixel judge {@code DemoModelsTest} uses for generated pictures, on pictures drawn here. */
class DemoDiagnosisTest {
    static final int SIDE = 64;

    /** A picture of {@code background} with {@code shape}'s colour where {@code where} holds. */
    static Frame picture(int background, int shape, IntPredicate where) {
        int[] px = new int[SIDE * SIDE];
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xff000000 | (where.test(i) ? shape : background);
        }
        return new Frame(SIDE, SIDE, px);
    }

    static IntPredicate disc(int cx, int cy, int radius) {
        return i -> {
            int x = i % SIDE - cx;
            int y = i / SIDE - cy;
            return x * x + y * y <= radius * radius;
        };
    }

    @Test
    void aBackgroundShadeBetweenTwoNamesIsStillBackground() {
        // the case an AMD EPYC produced: a violet blue (nearest blue, but nearly as near purple), in two shades
        // either side of the middle, with a red circle on it
        int blueSide = 84 << 16 | 50 << 8 | 201;
        int purpleSide = 90 << 16 | 50 << 8 | 196;
        assertThat(Colour.nearest(84, 50, 201)).isEqualTo(Colour.BLUE);
        assertThat(Colour.nearest(90, 50, 196)).isEqualTo(Colour.PURPLE);
        IntPredicate lowerHalf = i -> i / SIDE >= SIDE / 2;
        IntPredicate circle = disc(32, 32, 10);
        int[] px = new int[SIDE * SIDE];
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xff000000 | (circle.test(i) ? Colour.RED.rgb() : lowerHalf.test(i) ? purpleSide : blueSide);
        }
        Frame f = new Frame(SIDE, SIDE, px);
        assertThat(DemoDiagnosis.dominant(f, DemoDiagnosis.border(SIDE))).isIn(Colour.BLUE, Colour.PURPLE);
        DemoDiagnosis.Vote v = DemoDiagnosis.shapeColour(f);
        assertThat(v.colour()).isEqualTo(Colour.RED);
        assertThat(v.share()).isBetween(0.07, 0.08); // π·10² of 64² pixels
    }

    @Test
    void aShapeOfTheNeighbouringNameIsStillSeen() {
        // a real purple circle on a plain blue background is not taken for a shade of it
        Frame f = picture(Colour.BLUE.rgb(), Colour.PURPLE.rgb(), disc(32, 32, 12));
        DemoDiagnosis.Vote v = DemoDiagnosis.shapeColour(f);
        assertThat(v.colour()).isEqualTo(Colour.PURPLE);
        assertThat(v.share()).isGreaterThan(0.1);
        Frame orange = picture(Colour.RED.rgb(), Colour.ORANGE.rgb(), disc(32, 32, 12));
        assertThat(DemoDiagnosis.shapeColour(orange).colour()).isEqualTo(Colour.ORANGE);
    }

    @Test
    void theCommonestThingBesidesTheBackgroundWins() {
        // white blots covering more than the red circle make the picture a white one: the judge does not look for
        // the prompt's colour, it reports what is drawn most
        IntPredicate red = disc(20, 20, 6);
        IntPredicate white = disc(44, 44, 12);
        Frame f = picture(Colour.BLUE.rgb(), Colour.WHITE.rgb(), white.or(red));
        int[] px = f.argb();
        for (int i = 0; i < px.length; i++) {
            if (red.test(i)) {
                px[i] = 0xff000000 | Colour.RED.rgb();
            }
        }
        assertThat(DemoDiagnosis.shapeColour(f).colour()).isEqualTo(Colour.WHITE);
    }

    @Test
    void aPlainPictureShowsNothingBesidesItsBackground() {
        Frame f = picture(Colour.BLACK.rgb(), Colour.BLACK.rgb(), i -> false);
        DemoDiagnosis.Vote v = DemoDiagnosis.shapeColour(f);
        assertThat(v.share()).isZero();
        assertThat(v.colour()).isEqualTo(Colour.BLACK);
    }
}
