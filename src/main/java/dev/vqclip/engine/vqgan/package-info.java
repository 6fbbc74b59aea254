/**
 * VQGAN of taming-transformers ({@code VQModel} and {@code GumbelVQ}) on DJL: the yaml config, encoder, decoder,
 * vector quantizers and the {@link dev.vqclip.engine.vqgan.Vqgan} facade.
 *
 * <p>Ownership: a {@link dev.vqclip.engine.vqgan.Vqgan} owns one NDManager holding its weights and closes it in
 * {@code close()}. Every result of {@code encode}, {@code quantize} and {@code decode} belongs to the manager of the
 * input array, so callers scope them with per-step sub-managers.
 */
package dev.vqclip.engine.vqgan;
