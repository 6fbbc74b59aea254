/**
 * The engine's numerical self-check: native kernels compared with independent computations at model load, and
 * rerouting where a native kernel is wrong on this machine.
 */
package dev.vqclip.engine.check;
