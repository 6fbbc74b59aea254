/**
 * Co-creation tools: brushes as pure functions over rasters ({@link dev.vqclip.app.paint.Brushes}), the mask on the
 * latent grid ({@link dev.vqclip.app.paint.MaskGrid}), and the view-model of the paint/mask tools with per-stroke
 * undo ({@link dev.vqclip.app.paint.PaintViewModel}). No class here except the view touches the JavaFX scene graph.
 */
package dev.vqclip.app.paint;
