package dev.vqclip.runtime;

import ai.djl.util.Utils;
import dev.vqclip.engine.GpuProbe;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where installed runtimes live: DJL's own PyTorch cache folder ({@code Utils.getEngineCacheDir("pytorch")}, i.e.
 * {@code ENGINE_CACHE_DIR/pytorch}, else {@code DJL_CACHE_DIR/pytorch}, else {@code ~/.djl.ai/pytorch}).
 *
 * <p>A runtime is unpacked into {@code <cache>/<version>-<flavor>-<classifier>/}, the folder DJL's own downloader
 * would create. Nothing else may be put inside it: DJL loads every regular file there as a native library. The
 * manifest therefore sits beside it ({@code <folder>.vqclip.json}), and the download and staging areas are hidden
 * folders of the cache.
 *
 * @param cache      the PyTorch cache folder
 * @param classifier the platform, e.g. {@code linux-x86_64}
 */
public record RuntimeLayout(Path cache, String classifier) {
    /** The PyTorch version the shipped JNI ({@code pytorch-jni-2.7.1-0.36.0}) is built for. */
    public static final String TORCH_VERSION = "2.7.1";
    /** DJL's server, laid out as {@code <base>/<version>/files.txt} and {@code <base>/<version>/<listed path>}. */
    public static final URI DEFAULT_SOURCE = URI.create("https://publish.djl.ai/pytorch");

    /** @return the layout DJL itself uses in this process */
    public static RuntimeLayout current() {
        return new RuntimeLayout(Utils.getEngineCacheDir("pytorch"), platformClassifier());
    }

    /** @return this machine's platform in DJL's naming: linux-x86_64, linux-aarch64, osx-aarch64 or win-x86_64 */
    public static String platformClassifier() {
        return GpuProbe.platform();
    }

    /** @return {@code 2.7.1-cu128-linux-x86_64} */
    public String id(RuntimeFlavor f) {
        return TORCH_VERSION + "-" + f.djlFlavor() + "-" + classifier;
    }

    /** @return the folder the runtime's libraries are unpacked into (the folder DJL is pointed at) */
    public Path folder(RuntimeFlavor f) {
        return cache.resolve(id(f));
    }

    /** @return the manifest, written last: its presence (with matching sizes) is what "installed" means */
    public Path manifest(RuntimeFlavor f) {
        return cache.resolve(id(f) + ".vqclip.json");
    }

    /** @return where the compressed files are downloaded to (and resumed from) */
    public Path downloads() {
        return cache.resolve(".vqclip-downloads");
    }

    /** @return where a runtime is unpacked before it is moved into place in one step */
    public Path staging(RuntimeFlavor f) {
        return cache.resolve(".vqclip-staging-" + id(f));
    }

    /** @return the path of a library inside the listing of DJL's server, e.g. {@code cu128/linux-x86_64/native/lib/} */
    public String remotePrefix(RuntimeFlavor f) {
        return f.djlFlavor() + "/" + classifier + "/native/lib/";
    }

    /** @return the native library DJL looks for in a folder: libtorch.so, torch.dll or libtorch.dylib */
    public String torchLibrary() {
        if (classifier.startsWith("win")) {
            return "torch.dll";
        }
        return classifier.startsWith("osx") ? "libtorch.dylib" : "libtorch.so";
    }
}
