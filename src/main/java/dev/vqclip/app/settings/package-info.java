/** Run settings: size, steps, seed, cutouts, learning rate, augmentations, regularisation. */
package dev.vqclip.app.settings;
