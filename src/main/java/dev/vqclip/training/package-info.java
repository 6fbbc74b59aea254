/**
 * The bundled demo models: the synthetic shapes world ({@link dev.vqclip.training.ShapesWorld}), the training of
 * a small taming VQGAN and a small OpenAI-architecture CLIP on it ({@link dev.vqclip.training.DemoTraining},
 * run by {@code vqclip train-demo}), and the held-out caption ranking that measures the CLIP
 * ({@link dev.vqclip.training.CaptionRanking}). The trained files ship in {@code assets/models/demo/}.
 */
package dev.vqclip.training;
