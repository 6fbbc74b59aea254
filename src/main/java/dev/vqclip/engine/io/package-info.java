/** File writing shared by every layer that saves something the user keeps (images, sessions, runs, weights). */
package dev.vqclip.engine.io;
