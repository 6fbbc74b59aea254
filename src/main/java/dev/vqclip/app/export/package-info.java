/**
 * File → Export: frames as PNG with UTF-8 metadata (upscaled on request) and the history as GIF or numbered PNGs.
 */
package dev.vqclip.app.export;
