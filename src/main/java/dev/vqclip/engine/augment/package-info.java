/** Random cutouts of the decoded image and their differentiable augmentations, drawn from seeded generators. */
package dev.vqclip.engine.augment;
