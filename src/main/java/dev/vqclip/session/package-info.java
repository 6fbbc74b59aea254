/**
 * Files that keep work: the {@code .vqrun} run file ({@link dev.vqclip.session.RunFile}), shared with the command
 * line, and the studio's {@code .vqsession} file ({@link dev.vqclip.session.SessionStore}) with history, layers and
 * settings. Writes are atomic; reads validate untrusted input and report problems naming the file. No JavaFX here.
 */
package dev.vqclip.session;
