package dev.vqclip.app.paint;

/**
 * How a brush dab looks.
 *
 * @param size diameter in image pixels (≥ 1)
 * @param hardness 0..1: the fraction of the radius painted at full strength before the soft edge
 * @param opacity 0..1: the most one stroke adds (overlapping dabs of one stroke do not add up)
 * @param argb the colour (its alpha is multiplied with the opacity)
 */
public record BrushSettings(double size, double hardness, double opacity, int argb) {
    public BrushSettings {
        if (!(size >= 1 && size <= 4096)) {
            throw new IllegalArgumentException("brush size must be 1..4096 pixels, got " + size);
        }
        if (!(hardness >= 0 && hardness <= 1) || !(opacity >= 0 && opacity <= 1)) {
            throw new IllegalArgumentException("hardness and opacity must be in [0,1]");
        }
    }
}
