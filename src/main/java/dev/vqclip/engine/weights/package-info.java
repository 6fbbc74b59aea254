/**
 * Readers for model files (torch.save zip and legacy pickles, TorchScript archives, safetensors, .npy). Files are
 * untrusted input: sizes are validated before allocating, and pickles are interpreted against an allow-list without
 * running any code from them.
 */
package dev.vqclip.engine.weights;
