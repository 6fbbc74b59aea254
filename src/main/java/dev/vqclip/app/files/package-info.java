/**
 * Session files: new, open, save, save as, autosave and recovery of a studio session ({@code .vqsession}); the
 * feature owns the session's file and its unsaved-changes flag.
 */
package dev.vqclip.app.files;
