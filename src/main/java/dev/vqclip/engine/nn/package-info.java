/**
 * Small stateless building blocks that DJL lacks or that several models share: group normalisation, swish,
 * convolution helpers, nearest-neighbour upsampling, zero padding and single-head spatial attention. All work on
 * float32 tensors in NCHW layout on whatever device the input lives on.
 *
 * <p>Ownership: every function returns a new array owned by the manager of its <em>input</em> ({@code x}), never by
 * the manager of the weights passed in, so a caller that scopes its inputs in a per-step sub-manager frees every
 * result with it. Weights are plain NDArrays the caller keeps and closes.
 */
package dev.vqclip.engine.nn;
