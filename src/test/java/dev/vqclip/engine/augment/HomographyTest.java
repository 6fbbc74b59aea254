package dev.vqclip.engine.augment;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HomographyTest {
    @Test
    void fourPointMapSendsEachCornerToItsTarget() {
        double[] src = {0, 0, 223, 0, 223, 223, 0, 223};
        double[] dst = {30.5, 12.25, 200, 40, 180.75, 210, 5, 190};
        double[] h = Homography.fromFourPoints(src, dst);
        for (int k = 0; k < 4; k++) {
            double[] p = Homography.apply(h, src[2 * k], src[2 * k + 1]);
            assertThat(p[0]).isCloseTo(dst[2 * k], within(1e-9));
            assertThat(p[1]).isCloseTo(dst[2 * k + 1], within(1e-9));
        }
    }

    @Test
    void inverseUndoesTheMap() {
        double[] m = Homography.multiply(Homography.rotationAbout(111.5, 111.5, 12, 3, -7),
                Homography.horizontalFlip(224));
        double[] id = Homography.multiply(Homography.invert(m), m);
        double[] expected = Homography.identity();
        for (int k = 0; k < 9; k++) {
            assertThat(id[k]).isCloseTo(expected[k], within(1e-12));
        }
        assertThat(Homography.isIdentity(expected)).isTrue();
        assertThat(Homography.isIdentity(m)).isFalse();
    }

    @Test
    void rotationKeepsTheCentreAndFlipMirrorsTheFrame() {
        double[] r = Homography.rotationAbout(4, 4, 33, 0, 0);
        assertThat(Homography.apply(r, 4, 4)).containsExactly(new double[] {4, 4}, within(1e-12));
        double[] f = Homography.horizontalFlip(10);
        assertThat(Homography.apply(f, 0, 3)).containsExactly(9, 3);
        assertThat(Homography.apply(f, 9, 5)).containsExactly(0, 5);
    }

    @Test
    void singularMapsAreRefused() {
        assertThatThrownBy(() -> Homography.invert(new double[] {1, 2, 0, 2, 4, 0, 0, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("singular");
        assertThatThrownBy(() -> Homography.fromFourPoints(new double[] {0, 0, 1, 0, 1, 1, 0, 1},
                new double[] {0, 0, 1, 1, 2, 2, 3, 3})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("degenerate");
    }
}
