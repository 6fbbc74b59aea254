/**
 * The VQGAN-CLIP optimisation as a value you can step: {@link dev.vqclip.engine.run.GenerationRequest} in,
 * {@link dev.vqclip.engine.run.StepEvent}s and {@link dev.vqclip.engine.image.Frame}s out, snapshots for history,
 * branching and sessions. Nothing here imports JavaFX.
 */
package dev.vqclip.engine.run;
