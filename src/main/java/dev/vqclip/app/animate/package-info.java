/**
 * The studio's Animate panel: the plan (frames, steps, zoom / rotate / pan keyframes), a preview of the next frame's
 * camera move, the frame chain (each frame an ordinary run of the engine worker, so it can be paused, painted into,
 * masked and resumed), the frame strip and the MP4/GIF export.
 */
package dev.vqclip.app.animate;
