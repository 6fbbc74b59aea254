/** The history strip: snapshots as a tree of branches; view one, continue from it on a new branch. */
package dev.vqclip.app.history;
