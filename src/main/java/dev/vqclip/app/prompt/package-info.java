/** Prompt rows: text and weight slider, add and remove; edits reach a running generation at its next step. */
package dev.vqclip.app.prompt;
