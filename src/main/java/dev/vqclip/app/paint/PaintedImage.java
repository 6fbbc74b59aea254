package dev.vqclip.app.paint;

import dev.vqclip.engine.image.Frame;

/**
 * What the engine gets on resume: a copy of the frame with the paint laid over it and where the paint is.
 *
 * @param edited the composited image
 * @param painted one flag per pixel
 */
public record PaintedImage(Frame edited, boolean[] painted) {
}
