/**
 * The editor and the studio's one edit history: the prompts and settings as one value, every undoable edit as a
 * sealed {@link dev.vqclip.app.editor.Edit} (editor edit, layer edit) in one {@link dev.vqclip.app.editor.EditHistory},
 * and the request the editor makes.
 */
package dev.vqclip.app.editor;
