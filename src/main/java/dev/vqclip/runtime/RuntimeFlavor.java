package dev.vqclip.runtime;

import java.util.List;
import java.util.Locale;

/**
 * A libtorch build {@code vqclip runtime install} can fetch. Each is the build the shipped {@code pytorch-jni} jar has
 * a JNI library for ({@code jnilib/<classifier>/<flavor>/}).
 */
public enum RuntimeFlavor {
    /** PyTorch 2.7.1 built against CUDA 12.8: the one {@code pytorch-jni-2.7.1-0.36.0} binds to on NVIDIA GPUs. */
    CUDA("cuda", "cu128", List.of("linux-x86_64", "win-x86_64"), false),
    /**
     * The CPU build, installed the same way. Not useful to people (the CPU build is bundled); it exists so the
     * installer and the start-up selection can be tested end to end on a machine without a GPU.
     */
    CPU("cpu", "cpu", List.of("linux-x86_64", "linux-aarch64", "osx-aarch64", "win-x86_64"), true);

    private final String id;
    private final String djlFlavor;
    private final List<String> classifiers;
    private final boolean testing;

    RuntimeFlavor(String id, String djlFlavor, List<String> classifiers, boolean testing) {
        this.id = id;
        this.djlFlavor = djlFlavor;
        this.classifiers = classifiers;
        this.testing = testing;
    }

    /** @return the name users type ({@code cuda}) */
    public String id() {
        return id;
    }

    /** @return DJL's flavor name ({@code PYTORCH_FLAVOR}, the middle of DJL's cache folder name), e.g. {@code cu128} */
    public String djlFlavor() {
        return djlFlavor;
    }

    /** @return whether this flavor exists only for tests (hidden from help and status) */
    public boolean testing() {
        return testing;
    }

    /** @return whether a build of this flavor exists for the platform */
    public boolean supports(String classifier) {
        return classifiers.contains(classifier);
    }

    /** @return the platforms this flavor exists for */
    public List<String> classifiers() {
        return classifiers;
    }

    /**
     * @throws IllegalArgumentException naming the choices for an unknown name
     */
    public static RuntimeFlavor parse(String s) {
        String q = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (RuntimeFlavor f : values()) {
            if (f.id.equals(q) || f.djlFlavor.equals(q)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown runtime '" + s + "' (expected cuda)");
    }
}
