package dev.vqclip.runtime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Chooses the libtorch DJL loads, before DJL's engine first loads: an installed CUDA runtime when there is one, else
 * the bundled CPU build. Nothing needs editing: {@code vqclip runtime install cuda} and a restart are enough.
 *
 * <p>DJL 0.36 takes an override folder from {@code PYTORCH_LIBRARY_PATH} (the environment, else the system property
 * of that name: the first entry holding libtorch), with the flavor of its JNI library from {@code PYTORCH_FLAVOR}
 * (likewise; default {@code cpu-precxx11}), before it looks at the native jar on the class path. So for an installed
 * runtime this sets both as system properties, and adds the folder to {@code jna.library.path} (DJL counts GPUs
 * through libcudart, loaded by JNA). A user's own {@code PYTORCH_LIBRARY_PATH} (environment or {@code -D}) wins.
 *
 * <p>The setting {@code -Dvqclip.runtime} or {@code VQCLIP_RUNTIME}: {@code auto} (default), {@code cpu} (always the
 * bundled CPU build) or {@code cuda} (the installed CUDA runtime; if it is missing, the CPU build and a reason).
 * The choice and its reason are kept in the system properties {@value #CHOSEN_PROPERTY} and
 * {@value #REASON_PROPERTY} for {@code vqclip doctor}.
 */
public final class NativeRuntime {
    public static final String SETTING_PROPERTY = "vqclip.runtime";
    /** The choice of the CPU build bundled in the jar. */
    public static final String BUNDLED = "bundled";
    public static final String SETTING_ENV = "VQCLIP_RUNTIME";
    /** Where the choice is recorded: {@code bundled}, {@code cu128} or {@code user} (PYTORCH_LIBRARY_PATH). */
    public static final String CHOSEN_PROPERTY = "vqclip.runtime.chosen";
    /** Where the reason for the choice is recorded, as a sentence. */
    public static final String REASON_PROPERTY = "vqclip.runtime.reason";
    /** Hidden: the installed flavor to select instead of CUDA (tests install the CPU build the same way). */
    static final String FLAVOR_PROPERTY = "vqclip.runtime.flavor";
    /** DJL's override folder setting (environment or system property). */
    public static final String LIBRARY_PATH = "PYTORCH_LIBRARY_PATH";

    private static Choice chosen;

    private NativeRuntime() {
    }

    /**
     * What was chosen.
     *
     * @param runtime {@value #BUNDLED}, a DJL flavor of an installed runtime ({@code cu128}), or {@code user}
     * @param folder  the folder DJL is pointed at, if any
     * @param reason  a sentence saying why
     * @param properties the system properties to set (name to value); empty for the bundled build
     */
    public record Choice(String runtime, Optional<Path> folder, String reason, Map<String, String> properties) {
    }

    /**
     * Chooses and applies the runtime for this process (once; later calls return the first choice). Call before
     * anything touches DJL's {@code Engine}.
     */
    public static synchronized Choice select() {
        if (chosen == null) {
            Properties props = System.getProperties();
            chosen = decide(System.getenv(), props, RuntimeLayout.current());
            chosen.properties().forEach(System::setProperty);
            System.setProperty(CHOSEN_PROPERTY, chosen.runtime());
            System.setProperty(REASON_PROPERTY, chosen.reason());
        }
        return chosen;
    }

    /** @return the choice made by {@link #select()} in this process, if it ran */
    public static synchronized Optional<Choice> current() {
        return Optional.ofNullable(chosen);
    }

    /**
     * The decision, without side effects.
     *
     * @param env    the environment
     * @param props  the system properties (read only)
     * @param layout where runtimes are installed
     */
    public static Choice decide(Map<String, String> env, Properties props, RuntimeLayout layout) {
        String raw = props.getProperty(SETTING_PROPERTY, env.getOrDefault(SETTING_ENV, "auto"));
        String setting = raw.trim().toLowerCase(Locale.ROOT);
        String userPath = env.getOrDefault(LIBRARY_PATH, props.getProperty(LIBRARY_PATH));
        if (userPath != null && !userPath.isBlank()) {
            return userFolder(userPath, env, props, layout);
        }
        if (!setting.equals("auto") && !setting.equals("cpu") && !setting.equals("cuda")) {
            return new Choice(BUNDLED, Optional.empty(), "unknown runtime setting '" + raw + "' (expected auto, cpu or"
                    + " cuda): the bundled CPU build", Map.of());
        }
        if (setting.equals("cpu")) {
            return new Choice(BUNDLED, Optional.empty(), "the CPU build was asked for (" + SETTING_PROPERTY + "="
                    + "cpu or " + SETTING_ENV + "=cpu)", Map.of());
        }
        RuntimeFlavor flavor = RuntimeFlavor.parse(props.getProperty(FLAVOR_PROPERTY, RuntimeFlavor.CUDA.id()));
        Path folder = layout.folder(flavor);
        Optional<RuntimeManifest> m = RuntimeManifest.read(layout.manifest(flavor));
        if (m.isEmpty()) {
            String why = Files.isDirectory(folder)
                    ? "the " + flavor.id() + " runtime in " + folder + " is not completely installed (no manifest)"
                    : "no " + flavor.id() + " runtime is installed";
            return new Choice(BUNDLED, Optional.empty(), why + ": the bundled CPU build"
                    + (flavor.supports(layout.classifier()) ? " (vqclip runtime install " + flavor.id() + ")" : ""),
                    Map.of());
        }
        Optional<String> problem = m.get().problem(folder);
        if (problem.isPresent()) {
            return new Choice(BUNDLED, Optional.empty(), "the " + flavor.id() + " runtime in " + folder + " is damaged ("
                    + problem.get() + "): the bundled CPU build; run vqclip runtime install " + flavor.id()
                    + " again", Map.of());
        }
        return new Choice(flavor.djlFlavor(), Optional.of(folder), "the installed " + flavor.id() + " runtime in "
                + folder, overrides(folder, flavor.djlFlavor(), props));
    }

    private static Choice userFolder(String userPath, Map<String, String> env, Properties props,
                                     RuntimeLayout layout) {
        Map<String, String> set = new java.util.LinkedHashMap<>();
        String flavor = env.get("PYTORCH_FLAVOR") != null ? env.get("PYTORCH_FLAVOR")
                : props.getProperty("PYTORCH_FLAVOR");
        Optional<Path> folder = Optional.empty();
        for (String p : userPath.split(File.pathSeparator)) {
            Path dir = Path.of(p);
            if (Files.isRegularFile(dir.resolve(layout.torchLibrary()))) {
                folder = Optional.of(dir.toAbsolutePath());
                break;
            }
        }
        String how;
        if (folder.isEmpty()) {
            how = "but no " + layout.torchLibrary() + " is there, so DJL ignores it: the bundled CPU build";
        } else if (flavor != null) {
            how = "with PYTORCH_FLAVOR=" + flavor;
        } else {
            // DJL would assume cpu-precxx11, for which the JNI jar has no library; tell it what the folder holds
            flavor = looksLikeCuda(folder.get()) ? RuntimeFlavor.CUDA.djlFlavor() : RuntimeFlavor.CPU.djlFlavor();
            set.put("PYTORCH_FLAVOR", flavor);
            how = "(its files look like the " + flavor + " build)";
        }
        folder.ifPresent(f -> set.put("jna.library.path", prepend(f, props.getProperty("jna.library.path"))));
        return new Choice(folder.isPresent() ? "user" : BUNDLED, folder, LIBRARY_PATH + "=" + userPath + " " + how,
                set);
    }

    private static boolean looksLikeCuda(Path folder) {
        try (var s = Files.list(folder)) {
            return s.anyMatch(p -> p.getFileName().toString().contains("torch_cuda"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static Map<String, String> overrides(Path folder, String flavor, Properties props) {
        Map<String, String> set = new java.util.LinkedHashMap<>();
        set.put("PYTORCH_FLAVOR", flavor);
        set.put(LIBRARY_PATH, folder.toAbsolutePath().toString());
        set.put("jna.library.path", prepend(folder, props.getProperty("jna.library.path")));
        return set;
    }

    private static String prepend(Path folder, String path) {
        String f = folder.toAbsolutePath().toString();
        return path == null || path.isEmpty() ? f : f + File.pathSeparator + path;
    }
}
