/** Run controls and statistics, and the engine worker that drives a run on the session's engine thread. */
package dev.vqclip.app.run;
