/**
 * Getting model files: the catalogue of published weights ({@link dev.vqclip.models.Catalogue}, a JSON resource), the
 * local cache ({@link dev.vqclip.models.ModelCache}), downloads with resume, mirrors, timeouts, checksums and
 * cancellation ({@link dev.vqclip.models.Downloader}), verification of installed files
 * ({@link dev.vqclip.models.ModelVerifier}) and the choice of which files a run uses
 * ({@link dev.vqclip.models.ModelResolver}). Nothing here holds tensors; it depends on {@code engine.weights} only to
 * check that a file parses.
 */
package dev.vqclip.models;
