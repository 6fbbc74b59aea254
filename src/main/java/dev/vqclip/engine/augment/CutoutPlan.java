package dev.vqclip.engine.augment;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Every random choice of one {@link CutoutAugmenter#apply} call, drawn on the host before any tensor work: where each
 * cutout is, how it is warped, recoloured and how much noise it gets, plus the seed of the engine's noise generator.
 * Executing a plan ({@link CutoutAugmenter#apply(ai.djl.ndarray.NDArray, CutoutPlan)}) is deterministic on a given
 * device, so the plan (or the state of the generator it was drawn from) fully determines the cutouts.
 *
 * @param imageHeight height H of the image the plan was drawn for
 * @param imageWidth width W of the image the plan was drawn for
 * @param cutSize side of every output cutout
 * @param cutouts one entry per cutout, in output order
 * @param noiseSeed seed for the engine RNG that draws the unit-normal noise (used only when some cutout has
 *     {@code noiseStd > 0})
 */
public record CutoutPlan(int imageHeight, int imageWidth, int cutSize, List<Cutout> cutouts, int noiseSeed) {
    public CutoutPlan {
        if (imageHeight < 1 || imageWidth < 1 || cutSize < 1) {
            throw new IllegalArgumentException("sizes must be positive: image " + imageHeight + "×" + imageWidth
                    + ", cut size " + cutSize);
        }
        cutouts = List.copyOf(cutouts);
        if (cutouts.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one cutout");
        }
        for (int i = 0; i < cutouts.size(); i++) {
            Cutout c = cutouts.get(i);
            if (c.offsetX() + c.size() > imageWidth || c.offsetY() + c.size() > imageHeight) {
                throw new IllegalArgumentException("cutout " + i + " (" + c.size() + " px at " + c.offsetX() + ","
                        + c.offsetY() + ") does not fit in a " + imageWidth + "×" + imageHeight + " image");
            }
        }
    }

    /**
     * One cutout: a square crop resized to the cut size, then warped (flip, then rotation + translation, then
     * perspective, all composed into one resampling), recoloured and given noise.
     *
     * @param size side of the square crop in image pixels, ≥ 1
     * @param offsetX left column of the crop
     * @param offsetY top row of the crop
     * @param flip mirror horizontally
     * @param degrees rotation about the cutout's centre, positive = counter-clockwise as displayed; 0 = none
     * @param translateX translation after rotation, in cutout pixels (positive = right)
     * @param translateY translation after rotation, in cutout pixels (positive = down)
     * @param perspective where the four corners of the cutout go (x, y of top-left, top-right, bottom-right,
     *     bottom-left, in cutout pixels, corner centres at 0 and cutSize − 1), or {@code null} for no perspective;
     *     points outside the moved quadrilateral read as 0
     * @param hueTurns hue rotation as a fraction of a full turn (0.1 = 36°); 0 = none
     * @param saturation chroma scale factor; 1 = none
     * @param noiseStd standard deviation of the added Gaussian noise; 0 = none
     */
    public record Cutout(int size, int offsetX, int offsetY, boolean flip, double degrees, double translateX,
                         double translateY, double[] perspective, double hueTurns, double saturation,
                         double noiseStd) {
        public Cutout {
            if (size < 1 || offsetX < 0 || offsetY < 0) {
                throw new IllegalArgumentException("bad crop: size " + size + " at " + offsetX + "," + offsetY);
            }
            if (perspective != null) {
                if (perspective.length != 8) {
                    throw new IllegalArgumentException("perspective needs 8 numbers (4 corners), got "
                            + perspective.length);
                }
                perspective = perspective.clone();
            }
            double[] all = {degrees, translateX, translateY, hueTurns, saturation, noiseStd};
            for (double v : all) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("augmentation parameters must be finite: " + Arrays.toString(all));
                }
            }
            if (noiseStd < 0 || saturation < 0) {
                throw new IllegalArgumentException("noise std and saturation must be ≥ 0, got " + noiseStd + ", "
                        + saturation);
            }
        }

        /** A plain crop with no augmentation. */
        public static Cutout crop(int size, int offsetX, int offsetY) {
            return new Cutout(size, offsetX, offsetY, false, 0, 0, 0, null, 0, 1, 0);
        }

        /** @return a copy of the perspective corners, or {@code null} */
        @Override
        public double[] perspective() {
            return perspective == null ? null : perspective.clone();
        }

        /** @return whether flip, rotation, translation or perspective change the geometry */
        public boolean warps() {
            return flip || degrees != 0 || translateX != 0 || translateY != 0 || perspective != null;
        }

        /** @return whether hue or saturation change the colours */
        public boolean recolours() {
            return hueTurns != 0 || saturation != 1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cutout c && size == c.size && offsetX == c.offsetX && offsetY == c.offsetY
                    && flip == c.flip && Double.compare(degrees, c.degrees) == 0
                    && Double.compare(translateX, c.translateX) == 0 && Double.compare(translateY, c.translateY) == 0
                    && Arrays.equals(perspective, c.perspective) && Double.compare(hueTurns, c.hueTurns) == 0
                    && Double.compare(saturation, c.saturation) == 0 && Double.compare(noiseStd, c.noiseStd) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(size, offsetX, offsetY, flip, degrees, translateX, translateY,
                    Arrays.hashCode(perspective), hueTurns, saturation, noiseStd);
        }

        @Override
        public String toString() {
            return "Cutout[size=" + size + ", at=" + offsetX + "," + offsetY + ", flip=" + flip + ", degrees="
                    + degrees + ", translate=" + translateX + "," + translateY + ", perspective="
                    + Arrays.toString(perspective) + ", hueTurns=" + hueTurns + ", saturation=" + saturation
                    + ", noiseStd=" + noiseStd + "]";
        }
    }
}
