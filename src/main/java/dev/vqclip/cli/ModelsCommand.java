package dev.vqclip.cli;

import dev.vqclip.models.CancelToken;
import dev.vqclip.models.Catalogue;
import dev.vqclip.models.DownloadCancelledException;
import dev.vqclip.models.DownloadProgress;
import dev.vqclip.models.Downloader;
import dev.vqclip.models.ModelCache;
import dev.vqclip.models.ModelEntry;
import dev.vqclip.models.ModelException;
import dev.vqclip.models.ModelFile;
import dev.vqclip.models.ModelImporter;
import dev.vqclip.models.ModelVerifier;
import dev.vqclip.models.ProgressListener;
import dev.vqclip.models.Sizes;
import dev.vqclip.models.StructureChecks;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code vqclip models}: list, download, verify, import and remove the model files in the cache. The catalogue is
 * the bundled one (or {@code -Dvqclip.catalogue=FILE}); the cache is {@code $VQCLIP_CACHE}, {@code -Dvqclip.cache},
 * {@code $XDG_CACHE_HOME/vqclip} or {@code ~/.cache/vqclip}.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List, download, verify, import and remove model files (cache: $VQCLIP_CACHE, else "
                + "$XDG_CACHE_HOME/vqclip, else ~/.cache/vqclip).",
        subcommands = {ModelsCommand.ListCommand.class, ModelsCommand.DownloadCommand.class,
            ModelsCommand.VerifyCommand.class, ModelsCommand.ImportCommand.class, ModelsCommand.RemoveCommand.class})
public final class ModelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static PrintWriter err(CommandLine.Model.CommandSpec spec) {
        return spec.commandLine().getErr();
    }

    /** A subcommand that works on the catalogue and the model cache, printing to the command line's output. */
    abstract static class CacheCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public final Integer call() {
            return run(Catalogue.load(), ModelCache.fromEnvironment(), spec.commandLine().getOut());
        }

        /** @return the exit code */
        abstract int run(Catalogue catalogue, ModelCache cache, PrintWriter out);
    }

    /** {@code models list [--files]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Show every model of the catalogue: installed or not, size, and where it is.")
    static final class ListCommand extends CacheCommand {
        @Option(names = "--files", description = "Also list each file: name (as served by a mirror), size, "
                + "SHA-256 and download URLs.")
        boolean files;

        @Override
        int run(Catalogue catalogue, ModelCache cache, PrintWriter out) {
            out.println("Model cache: " + cache.root() + (cache.isWritable() ? "" : " (read-only)"));
            out.printf(Locale.ROOT, "%-26s %-6s %11s  %-9s %s%n", "NAME", "KIND", "SIZE", "STATUS", "WHERE");
            for (ModelEntry e : catalogue.entries()) {
                ModelCache.Status st = cache.status(e);
                String where = st == ModelCache.Status.MISSING ? "-" : cache.modelDir(e).toString();
                out.printf(Locale.ROOT, "%-26s %-6s %11s  %-9s %s%n", e.name(), e.kind().id(), size(e.displaySize(),
                        e.files().stream().allMatch(f -> f.size() != null)), st.name().toLowerCase(Locale.ROOT),
                        where);
                if (files) {
                    for (ModelFile f : e.files()) {
                        out.printf(Locale.ROOT, "    %-32s %-7s %11s  %s%n", f.fileName(), f.role().id(),
                                size(f.displaySize(), f.size() != null),
                                f.knownSha256().map(s -> "sha256 " + s).orElse("no published checksum"));
                        for (URI u : f.urls()) {
                            out.println("        " + u);
                        }
                    }
                }
            }
            if (!files) {
                out.println("(--files shows each file's name, checksum and URLs; a mirror serves files by those names)");
            }
            out.flush();
            return 0;
        }

        private static String size(long bytes, boolean exact) {
            return bytes < 0 ? "?" : (exact ? "" : "~") + Sizes.human(bytes);
        }
    }

    /** {@code models download NAME... [--mirror URL]}. */
    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download models (and what they require, e.g. CLIP's vocabulary) into the cache, "
                    + "resuming interrupted downloads and trying mirrors in order.")
    static final class DownloadCommand extends CacheCommand {
        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Model names or aliases (see models list).")
        List<String> names;

        @Option(names = "--mirror", paramLabel = "URL", description = "A mirror tried before the public hosts "
                + "(also: $" + Downloader.MIRROR_ENV + "); it serves each file at URL/<file name>.")
        List<String> mirrors = new ArrayList<>();

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
                description = "Give up on a host after this many seconds without data (default: ${DEFAULT-VALUE}).")
        double timeoutSeconds;

        @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
        boolean quiet;

        @Override
        int run(Catalogue catalogue, ModelCache cache, PrintWriter out) {
            List<URI> first = new ArrayList<>();
            for (String m : mirrors) {
                first.addAll(Downloader.parseMirrors(m));
            }
            if (!(timeoutSeconds > 0)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive");
            }
            Downloader.Options base = Downloader.Options.fromEnvironment(System.getenv());
            Downloader.Options options = base.withFirstMirrors(first)
                    .withTimeouts(base.connectTimeout(), Duration.ofMillis((long) (timeoutSeconds * 1000)));
            Downloader downloader = new Downloader(cache, options, StructureChecks.standard());
            Set<ModelEntry> todo = new LinkedHashSet<>();
            for (String n : names) {
                todo.addAll(catalogue.withRequirements(catalogue.require(n)));
            }
            for (ModelEntry e : todo) {
                if (cache.isInstalled(e)) {
                    out.println(e.name() + ": already installed in " + cache.modelDir(e));
                    continue;
                }
                out.println(e.name() + ": downloading " + (e.displaySize() > 0 ? Sizes.human(e.displaySize()) : "")
                        + " into " + cache.modelDir(e));
                out.flush();
                // Ctrl+C stops the transfer cleanly: the .part file stays, and the same command resumes it
                CancelToken cancel = new CancelToken();
                try (CtrlC stop = CtrlC.install("models-download", 10_000, cancel::cancel);
                     BarListener bars = new BarListener(err(spec), quiet)) {
                    downloader.download(e, bars, cancel);
                } catch (DownloadCancelledException c) {
                    out.println(e.name() + ": cancelled; what was downloaded is kept in " + cache.modelDir(e)
                            + " and the same command resumes it");
                    out.flush();
                    return 130;
                }
                out.println(e.name() + ": installed");
            }
            out.flush();
            return 0;
        }
    }

    /** Shows one progress bar per file and prints mirror fallbacks. */
    static final class BarListener implements ProgressListener, AutoCloseable {
        private final PrintWriter err;
        private final boolean quiet;
        private ProgressBar bar;
        private String barFile;

        BarListener(PrintWriter err, boolean quiet) {
            this.err = err;
            this.quiet = quiet;
        }

        @Override
        public void onProgress(DownloadProgress p) {
            if (quiet) {
                return;
            }
            if (bar == null || !p.fileName().equals(barFile)) {
                close();
                barFile = p.fileName();
                boolean small = p.total() >= 0 && p.total() < (16L << 20);
                bar = new ProgressBarBuilder().setTaskName(p.fileName()).setInitialMax(Math.max(p.total(), -1))
                        .setUnit(small ? "KiB" : "MiB", small ? 1L << 10 : 1L << 20)
                        .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(250)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
            }
            if (p.total() > 0 && bar.getMax() != p.total()) {
                bar.maxHint(p.total());
            }
            bar.stepTo(p.bytes());
        }

        @Override
        public void onMessage(String message) {
            if (message.contains(" failed: ") || message.contains("resuming") || message.contains("restarting")) {
                if (bar != null) {
                    bar.setExtraMessage(message.length() > 60 ? message.substring(0, 60) + "..." : message);
                }
                err.println(message);
                err.flush();
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }

    /** {@code models verify [NAME]}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check installed models: SHA-256 where published, else size and that the files parse "
                    + "(and a VQGAN checkpoint fits its yaml). Exit code 1 if any check fails.")
    static final class VerifyCommand extends CacheCommand {
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "One model (default: every model with files "
                + "in the cache).")
        String name;

        @Override
        int run(Catalogue catalogue, ModelCache cache, PrintWriter out) {
            ModelVerifier verifier = new ModelVerifier(cache, StructureChecks.standard());
            List<ModelEntry> targets = new ArrayList<>();
            if (name != null) {
                targets.add(catalogue.require(name));
            } else {
                for (ModelEntry e : catalogue.entries()) {
                    if (cache.status(e) != ModelCache.Status.MISSING) {
                        targets.add(e);
                    }
                }
            }
            if (targets.isEmpty()) {
                out.println("no models in " + cache.root() + " to verify");
                out.flush();
                return 0;
            }
            boolean allOk = true;
            for (ModelEntry e : targets) {
                ModelVerifier.Result r = verifier.verify(e);
                for (ModelVerifier.FileResult f : r.files()) {
                    out.printf(Locale.ROOT, "%-4s %s/%s: %s%n", f.ok() ? "OK" : "FAIL", e.name(), f.file().fileName(),
                            f.message());
                }
                if (r.structureError() != null) {
                    out.println("FAIL " + e.name() + ": " + r.structureError());
                }
                boolean installed = cache.isInstalled(e);
                if (r.ok() && !installed) {
                    out.println("NOTE " + e.name() + ": files verify but the model is not marked installed "
                            + "(an interrupted download?); run vqclip models download " + e.name());
                }
                allOk &= r.ok() && installed;
            }
            out.println(allOk ? "all verified" : "verification failed");
            out.flush();
            return allOk ? 0 : 1;
        }
    }

    /** {@code models import FILE... --as NAME}. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Install files you downloaded by hand: they are verified and copied into the cache.")
    static final class ImportCommand extends CacheCommand {
        @Parameters(arity = "1..*", paramLabel = "FILE", description = "The model's files (e.g. the .ckpt and its "
                + ".yaml); each is matched by name, else by extension.")
        List<Path> files;

        @Option(names = "--as", required = true, paramLabel = "NAME", description = "The catalogue model they are.")
        String as;

        @Override
        int run(Catalogue catalogue, ModelCache cache, PrintWriter out) {
            ModelEntry e = catalogue.require(as);
            ModelImporter.Outcome o = new ModelImporter(cache, StructureChecks.standard()).importFiles(e, files);
            out.println("imported " + String.join(", ", o.imported()) + " into " + cache.modelDir(e));
            if (o.installed()) {
                out.println(e.name() + ": installed");
            } else {
                for (ModelFile f : o.missing()) {
                    out.println(e.name() + " still needs " + f.fileName()
                            + (f.urls().isEmpty() ? "" : " (from " + f.urls().get(0) + ")")
                            + ": vqclip models import /path/to/" + f.fileName() + " --as " + e.name());
                }
            }
            out.flush();
            return 0;
        }
    }

    /** {@code models remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Delete a model from the cache.")
    static final class RemoveCommand extends CacheCommand {
        @Parameters(arity = "1", paramLabel = "NAME")
        String name;

        @Override
        int run(Catalogue catalogue, ModelCache cache, PrintWriter out) {
            ModelEntry e = catalogue.require(name);
            if (cache.status(e) == ModelCache.Status.MISSING) {
                throw new ModelException(e.name() + " is not in " + cache.root());
            }
            cache.remove(e);
            out.println("removed " + e.name() + " from " + cache.root());
            out.flush();
            return 0;
        }
    }
}
