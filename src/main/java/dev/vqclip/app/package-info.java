/**
 * The studio: a JavaFX MVVM desktop app. {@link dev.vqclip.app.StudioLauncher} starts
 * {@link dev.vqclip.app.StudioApp}; {@link dev.vqclip.app.StudioViewModel} holds one session and the feature
 * view-models in the sub-packages; the engine runs on one thread per session behind
 * {@link dev.vqclip.app.run.EngineWorker}. The engine comes from an {@link dev.vqclip.app.core.EngineProvider}, wired in
 * {@link dev.vqclip.app.Engines}. Shared infrastructure that the features use (the executor, the engine provider,
 * frames as images) lives in {@link dev.vqclip.app.core}, so no feature package imports this root.
 */
package dev.vqclip.app;
