/** Headless commands: reconstruct, tokenize, embed, generate, edit, models, bench. */
package dev.vqclip.cli;
