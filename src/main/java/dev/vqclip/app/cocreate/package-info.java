/**
 * Co-creation: painting into a paused run, the mask the run follows, select by text and "replace with"; the feature
 * wires the paint tools to the run's commands.
 */
package dev.vqclip.app.cocreate;
