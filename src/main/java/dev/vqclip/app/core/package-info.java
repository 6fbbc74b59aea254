/**
 * What every studio feature shares and none owns: where work runs ({@link dev.vqclip.app.core.TaskExecutor}), how the
 * engine is loaded ({@link dev.vqclip.app.core.EngineProvider}), frames as JavaFX images, and the values features hand
 * each other. It imports no other studio package, so the features depend on it and never on the studio's root.
 */
package dev.vqclip.app.core;
