package dev.vqclip.cli;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.run.GenerationRequest;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.ImageMetadata;
import dev.vqclip.session.Layers;
import dev.vqclip.session.SessionData;
import dev.vqclip.session.SessionStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code vqclip session info|export|timelapse}: reads a {@code .vqsession} without the studio, to inspect it or rescue its
 * images. Both load the file with {@link SessionStore#load}, so they are bounded exactly as the studio is.
 */
@Command(name = "session", mixinStandardHelpOptions = true,
        description = "Inspect a studio session file or export its images, without the studio.",
        subcommands = {SessionCommand.Info.class, SessionCommand.Export.class, SessionTimelapse.class})
public final class SessionCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a subcommand: info FILE, export FILE --out IMAGE.png or timelapse FILE --out VIDEO.mp4");
    }

    /** Loads a session, printing its warnings to standard error. */
    static SessionStore.Loaded load(Path file) throws IOException {
        SessionStore.Loaded loaded = SessionStore.load(file);
        for (String w : loaded.warnings()) {
            System.err.println("warning: " + w);
        }
        return loaded;
    }

    /** {@code vqclip session info FILE}. */
    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Print what a session holds: size, steps, prompts, models, history, layers, bytes.")
    static final class Info implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "the .vqsession file")
        Path file;

        @Override
        public Integer call() throws IOException {
            SessionData d = load(file).data();
            PrintStream out = System.out;
            out.println(file + ": " + SessionStore.FORMAT);
            GenerationRequest r = d.request() != null ? d.request()
                    : d.current() != null ? d.current().request() : null;
            if (r != null) {
                out.printf(Locale.ROOT, "  size: %dx%d, steps %d, seed %d, cutouts %d, lr %s, init %s%n", r.width(),
                        r.height(), r.steps(), r.seed(), r.cutouts(), r.learningRate(), r.init());
            } else {
                out.println("  size: no settings saved");
            }
            out.println("  prompts: " + (d.promptRows().isEmpty() ? "none" : ""));
            for (SessionData.PromptRow p : d.promptRows()) {
                out.println("    \"" + p.text() + "\" weight " + p.weight()
                        + (Double.isInfinite(p.stop()) ? "" : " stop " + p.stop()));
            }
            out.println("  models: " + (d.models().isEmpty() ? "none recorded" : ""));
            d.models().forEach((k, v) -> out.println("    " + k + ": " + v));
            RunSnapshot c = d.current();
            out.println("  current run: " + (c == null ? "none" : "step " + c.step() + " of " + c.request().steps()
                    + ", latent " + Arrays.toString(c.shape()) + (c.mask() != null ? ", latent mask" : "")));
            out.println("  canvas: " + size(d.frame()) + ", paint layer " + size(d.paint()) + ", mask layer "
                    + (d.mask() == null ? "none" : d.mask().width() + "x" + d.mask().height()));
            Set<String> branches = new LinkedHashSet<>();
            d.history().forEach(e -> branches.add(e.branchId()));
            out.println("  history: " + d.history().size() + " entries on " + branches.size() + " branch"
                    + (branches.size() == 1 ? "" : "es") + " (current branch " + d.branchId() + ")");
            for (HistoryEntry e : d.history()) {
                out.printf(Locale.ROOT, "    %-6s %-4s step %-6d %dx%d  %s%s%n", e.id(), e.branchId(), e.step(),
                        e.frame().width(), e.frame().height(), layers(e.layers()),
                        e.parentId() == null ? "" : "  (after " + e.parentId() + ")");
            }
            long entries = 0;
            long bytes = 0;
            try (ZipFile zip = new ZipFile(file.toFile())) {
                for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
                    ZipEntry z = it.nextElement();
                    entries++;
                    bytes += Math.max(0, z.getSize());
                }
            }
            out.printf(Locale.ROOT, "  bytes: %d in the file, %d zip entries holding %d%n", Files.size(file), entries,
                    bytes);
            return 0;
        }

        private static String size(Frame f) {
            return f == null ? "none" : f.width() + "x" + f.height();
        }

        private static String layers(Layers l) {
            if (l == null) {
                return "layers not recorded";
            }
            return "paint " + size(l.paint()) + ", mask "
                    + (l.mask() == null ? "none" : l.mask().width() + "x" + l.mask().height());
        }
    }

    /** {@code vqclip session export FILE --out IMAGE.png [--entry ID]}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the canvas image of a session (or of one history entry) as a PNG, atomically.")
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "the .vqsession file")
        Path file;

        @Option(names = "--out", required = true, paramLabel = "IMAGE.png", description = "where to write the PNG")
        Path out;

        @Option(names = "--entry", paramLabel = "ID",
                description = "a history entry id (see session info); default: the canvas image, else the last entry")
        String entry;

        @Override
        public Integer call() throws IOException {
            SessionData d = load(file).data();
            HistoryEntry chosen;
            if (entry != null) {
                chosen = d.history().stream().filter(h -> h.id().equals(entry)).findFirst().orElseThrow(() ->
                        new IllegalArgumentException(file + " has no history entry '" + entry + "' (it has: "
                                + String.join(", ", d.history().stream().map(HistoryEntry::id).toList()) + ")"));
            } else if (d.frame() != null) {
                chosen = null;
            } else if (!d.history().isEmpty()) {
                chosen = d.history().get(d.history().size() - 1);
            } else {
                throw new IllegalArgumentException(file + " holds no image (no canvas and no history)");
            }
            Frame f = chosen == null ? d.frame() : chosen.frame();
            String what = chosen == null ? "the canvas"
                    : "history entry " + chosen.id() + " (step " + chosen.step() + ")";
            RunSnapshot snapshot = chosen == null ? d.current() : chosen.snapshot();
            GenerationRequest request = snapshot != null ? snapshot.request() : d.request();
            int step = chosen != null ? chosen.step() : snapshot != null ? snapshot.step() : 0;
            Map<String, String> text = new LinkedHashMap<>(ImageMetadata.of(
                    request == null ? List.of() : request.prompts(), request, step,
                    d.models().getOrDefault("engine", "")));
            text.put("Source", file.getFileName() + ": " + what);
            Png.write(out, f, text);
            System.out.println("wrote " + out + " (" + f.width() + "x" + f.height() + ", " + what + ")");
            return 0;
        }
    }
}
