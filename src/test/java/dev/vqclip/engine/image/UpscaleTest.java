package dev.vqclip.engine.image;

import dev.vqclip.engine.image.Frame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpscaleTest {
    static Frame frame(int w, int h, int seed) {
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xff000000 | (i * 31 + seed * 7919) & 0xffffff;
        }
        return new Frame(w, h, px);
    }

    static Frame filled(int w, int h, int argb) {
        int[] px = new int[w * h];
        java.util.Arrays.fill(px, argb);
        return new Frame(w, h, px);
    }

    static int red(int p) {
        return p >> 16 & 0xff;
    }

    @Test
    void aPlainColourStaysExactlyThatColourAtEverySize() {
        Frame f = filled(5, 3, 0xff336699);
        for (int s : new int[] {2, 3, 4}) {
            Frame u = Upscale.lanczos(f, s);
            assertThat(u.width()).isEqualTo(5 * s);
            assertThat(u.height()).isEqualTo(3 * s);
            assertThat(u.argb()).containsOnly(0xff336699);
        }
    }

    @Test
    void factorOneIsACopy() {
        Frame f = frame(7, 4, 3);
        Frame u = Upscale.lanczos(f, 1);
        assertThat(u.argb()).isEqualTo(f.argb()).isNotSameAs(f.argb());
    }

    @Test
    void aRampIsInterpolatedNotRepeated() {
        // red rises by 16 per pixel: nearest-neighbour would give pairs of equal values, Lanczos a finer ramp
        int w = 16;
        int[] px = new int[w];
        for (int x = 0; x < w; x++) {
            px[x] = 0xff000000 | (x * 16) << 16;
        }
        Frame u = Upscale.lanczos(new Frame(w, 1, px), 2);
        for (int ox = 6; ox < 2 * w - 6; ox++) {
            double at = (ox + 0.5) / 2 - 0.5; // where output pixel ox samples the source
            assertThat((double) red(u.argb()[ox])).as("pixel " + ox).isCloseTo(at * 16, org.assertj.core.data.Offset
                    .offset(1.0));
        }
        assertThat(red(u.argb()[12])).isNotEqualTo(red(u.argb()[13]));
    }

    @Test
    void aHardEdgeGetsInBetweenValuesAndStaysInRange() {
        int[] px = new int[8];
        for (int x = 0; x < 8; x++) {
            px[x] = x < 4 ? 0xff000000 : 0xffffffff;
        }
        Frame u = Upscale.lanczos(new Frame(8, 1, px), 4);
        long between = java.util.Arrays.stream(u.argb()).filter(p -> red(p) > 20 && red(p) < 235).count();
        assertThat(between).as("not nearest-neighbour: the edge is resampled").isGreaterThan(0);
        assertThat(java.util.Arrays.stream(u.argb()).allMatch(p -> p >>> 24 == 0xff)).isTrue();
    }

    @Test
    void transparentPixelsDoNotBleedTheirColour() {
        // left half: fully transparent but with red colour bits; right half: opaque blue
        int[] px = new int[8 * 2];
        for (int i = 0; i < px.length; i++) {
            px[i] = i % 8 < 4 ? 0x00ff0000 : 0xff0000ff;
        }
        Frame u = Upscale.lanczos(new Frame(8, 2, px), 2);
        for (int p : u.argb()) {
            if (p >>> 24 > 0) {
                assertThat(red(p)).as(Integer.toHexString(p)).isZero();
            }
        }
    }

    @Test
    void badFactorsAndTooLargeResultsAreRefusedWithTheReason() {
        Frame f = filled(4, 4, 0xff000000);
        assertThatThrownBy(() -> Upscale.lanczos(f, 0)).hasMessageContaining("factor must be 1 to 16, got 0");
        Frame big = filled(4096, 2048, 0xff000000);
        assertThatThrownBy(() -> Upscale.lanczos(big, 4)).hasMessageContaining("4096x2048 at 4x");
    }

    @Test
    void theKernelIsLanczosThree() {
        assertThat(Upscale.kernel(0)).isEqualTo(1.0);
        assertThat(Upscale.kernel(1)).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Upscale.kernel(3)).isZero();
        double x = 0.5;
        assertThat(Upscale.kernel(x)).isCloseTo(3 * Math.sin(Math.PI * x) * Math.sin(Math.PI * x / 3)
                / (Math.PI * Math.PI * x * x), org.assertj.core.data.Offset.offset(1e-12));
    }
}
