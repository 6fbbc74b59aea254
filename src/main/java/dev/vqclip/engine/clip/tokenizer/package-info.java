/**
 * CLIP's text tokenizer in pure Java: the byte-level BPE of OpenAI's {@code simple_tokenizer.py}
 * ({@link dev.vqclip.engine.clip.tokenizer.ClipTokenizer}), the subset of ftfy's text repair it relies on
 * ({@link dev.vqclip.engine.clip.tokenizer.Ftfy}), and a trainer for small merges files
 * ({@link dev.vqclip.engine.clip.tokenizer.BpeTrainer}). No DJL, no JavaFX.
 */
package dev.vqclip.engine.clip.tokenizer;
