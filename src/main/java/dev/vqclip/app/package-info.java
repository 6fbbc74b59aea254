/**
 * The studio: a JavaFX MVVM desktop app. {@link dev.vqclip.app.StudioLauncher} starts
 * {@link dev.vqclip.app.StudioApp}; {@link dev.vqclip.app.StudioViewModel} holds one session and the feature
 * view-models in the sub-packages; the engine runs on one thread per session behind
 * {@link dev.vqclip.app.run.EngineWorker}. The engine comes from an {@link dev.vqclip.app.EngineProvider}, wired in
 * {@link dev.vqclip.app.Engines}.
 */
package dev.vqclip.app;
