/**
 * The native PyTorch runtime: installing the CUDA build of libtorch that the shipped JNI binds to into the folder DJL
 * reads ({@link dev.vqclip.runtime.RuntimeInstaller}), and choosing it at start-up before DJL's engine loads
 * ({@link dev.vqclip.runtime.NativeRuntime}). Sits beside the model manager, whose downloader it reuses; knows nothing
 * of the studio or the command line.
 */
package dev.vqclip.runtime;
