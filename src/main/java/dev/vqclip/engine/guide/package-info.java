/** What guides the optimisation: text and image prompts, their syntax, and the losses against CLIP embeddings. */
package dev.vqclip.engine.guide;
