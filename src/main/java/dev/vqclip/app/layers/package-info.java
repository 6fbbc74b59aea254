/** The one layer model (frame, paint, mask, latent grid) under the canvas and the paint tools. */
package dev.vqclip.app.layers;
