/** The canvas: live frame, paint layer and mask overlay on the latent grid; zoom, pan and fit. */
package dev.vqclip.app.canvas;
