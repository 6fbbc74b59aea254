package dev.vqclip.cli;

import dev.vqclip.models.CancelToken;
import dev.vqclip.models.DownloadCancelledException;
import dev.vqclip.models.DownloadProgress;
import dev.vqclip.models.Downloader;
import dev.vqclip.models.ProgressListener;
import dev.vqclip.models.Sizes;
import dev.vqclip.runtime.NativeRuntime;
import dev.vqclip.runtime.RuntimeFlavor;
import dev.vqclip.runtime.RuntimeInstaller;
import dev.vqclip.runtime.RuntimeLayout;
import dev.vqclip.runtime.RuntimeManifest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code vqclip runtime install|status|remove}: the CUDA build of libtorch, for NVIDIA GPUs. */
@Command(name = "runtime", mixinStandardHelpOptions = true,
        description = "The PyTorch runtime: the bundled CPU build, or the CUDA build for NVIDIA GPUs, downloaded once "
                + "into DJL's cache and used from the next start on (docs/gpu.md).",
        subcommands = {RuntimeCommand.InstallCommand.class, RuntimeCommand.StatusCommand.class,
            RuntimeCommand.RemoveCommand.class})
public final class RuntimeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static RuntimeFlavor flavor(CommandLine cl, String name) {
        try {
            return RuntimeFlavor.parse(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    /** {@code runtime install cuda}. */
    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Download PyTorch " + RuntimeLayout.TORCH_VERSION + " for CUDA 12.8 (about 3 GB unpacked; "
                    + "the build the bundled JNI binds to) from DJL's server or a mirror, with progress, resume and "
                    + "checksums, into DJL's cache. The next start uses it; -Dvqclip.runtime=cpu or VQCLIP_RUNTIME=cpu "
                    + "goes back to the CPU build.")
    static final class InstallCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "RUNTIME", description = "cuda")
        String name;

        @Option(names = "--mirror", paramLabel = "URL", description = "A copy of " + "https://publish.djl.ai/pytorch"
                + " tried first (it serves URL/" + RuntimeLayout.TORCH_VERSION + "/files.txt and the files it lists); "
                + "also $" + RuntimeInstaller.MIRROR_ENV + ".")
        List<String> mirrors = new ArrayList<>();

        @CommandLine.Mixin
        TransferOptions transfer = new TransferOptions();

        @Option(names = "--mirror-only", description = "Use only the mirrors, never DJL's server (for a network that"
                + " must not reach the internet).")
        boolean mirrorOnly;

        @Override
        public Integer call() {
            RuntimeFlavor f = flavor(spec.commandLine(), name);
            List<URI> first = TransferOptions.mirrors(mirrors);
            RuntimeInstaller installer = new RuntimeInstaller(RuntimeLayout.current(),
                    transfer.apply(Downloader.Options.defaults(), spec.commandLine()));
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            CancelToken cancel = new CancelToken();
            // Ctrl+C cancels the transfer and waits for it to stop: what was downloaded stays for the next install
            try (CtrlC stop = CtrlC.install("runtime-install", 10_000, cancel::cancel);
                 ModelsCommand.BarListener bars = new ModelsCommand.BarListener(err, transfer.quiet)) {
                ProgressListener l = new ProgressListener() {
                    @Override
                    public void onProgress(DownloadProgress p) {
                        bars.onProgress(p);
                    }

                    @Override
                    public void onMessage(String m) {
                        if (m.startsWith("fetching ")) {
                            return;
                        }
                        if (m.contains(" failed: ") || m.contains("resuming") || m.contains("restarting")) {
                            bars.onMessage(m);
                            return;
                        }
                        bars.close();
                        out.println(m);
                        out.flush();
                    }
                };
                List<URI> sources = RuntimeInstaller.sources(first, System.getenv());
                if (mirrorOnly) {
                    sources.remove(RuntimeLayout.DEFAULT_SOURCE);
                    if (sources.isEmpty()) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--mirror-only needs --mirror URL or $" + RuntimeInstaller.MIRROR_ENV);
                    }
                }
                installer.install(f, sources, l, cancel);
            } catch (DownloadCancelledException e) {
                out.println("cancelled; what was downloaded is kept and the same command resumes it");
                out.flush();
                return 130;
            }
            out.println("restart vqclip to use it (vqclip doctor shows what was loaded)");
            out.flush();
            return 0;
        }
    }

    /** {@code runtime status}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show which runtimes are installed and which one this start of vqclip chose, and why.")
    static final class StatusCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(describe(RuntimeLayout.current(), NativeRuntime.select()));
            out.flush();
            return 0;
        }
    }

    /** @return the status text: the cache, each runtime's state, the choice */
    static String describe(RuntimeLayout layout, NativeRuntime.Choice choice) {
        StringBuilder sb = new StringBuilder();
        sb.append("platform:       ").append(layout.classifier()).append('\n');
        sb.append("DJL cache:      ").append(layout.cache()).append('\n');
        for (RuntimeFlavor f : RuntimeFlavor.values()) {
            if (f.testing() && RuntimeManifest.read(layout.manifest(f)).isEmpty()) {
                continue;
            }
            sb.append(String.format("%-15s ", f.id() + ":")).append(state(layout, f)).append('\n');
        }
        sb.append("this start:     ").append(choice.folder().map(p -> choice.runtime() + " from " + p)
                .orElse(choice.runtime().equals(NativeRuntime.BUNDLED) ? "the bundled CPU build" : choice.runtime()))
                .append('\n');
        sb.append("why:            ").append(choice.reason()).append('\n');
        return sb.toString();
    }

    private static String state(RuntimeLayout layout, RuntimeFlavor f) {
        if (!f.supports(layout.classifier())) {
            return "not available for " + layout.classifier();
        }
        Optional<RuntimeManifest> m = RuntimeManifest.read(layout.manifest(f));
        if (m.isEmpty()) {
            return java.nio.file.Files.isDirectory(layout.folder(f))
                    ? "incomplete in " + layout.folder(f) + " (no manifest; run vqclip runtime install " + f.id() + ")"
                    : "not installed (vqclip runtime install " + f.id() + ")";
        }
        Optional<String> problem = m.get().problem(layout.folder(f));
        if (problem.isPresent()) {
            return "damaged in " + layout.folder(f) + ": " + problem.get() + " (run vqclip runtime install " + f.id()
                    + ")";
        }
        return "installed in " + layout.folder(f) + " (" + m.get().files().size() + " files, "
                + Sizes.human(m.get().totalSize()) + "; " + (m.get().checksums() == null
                ? "gzip CRC checked, no published checksums" : "checked against " + m.get().checksums()) + ")";
    }

    /** {@code runtime remove cuda}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Delete an installed runtime (the next start uses the bundled CPU build).")
    static final class RemoveCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "RUNTIME", description = "cuda")
        String name;

        @Override
        public Integer call() {
            RuntimeFlavor f = flavor(spec.commandLine(), name);
            RuntimeInstaller installer = new RuntimeInstaller(RuntimeLayout.current(), Downloader.Options.defaults());
            PrintWriter out = spec.commandLine().getOut();
            boolean any = installer.remove(f);
            out.println(any ? "removed the " + f.id() + " runtime from " + installer.layout().folder(f)
                    : "the " + f.id() + " runtime is not installed");
            out.flush();
            return 0;
        }
    }
}
