package dev.vqclip.cli;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.FrameSource;
import dev.vqclip.media.TimeLapse;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.SessionData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;

/**
 * {@code vqclip session timelapse FILE --out run.mp4 [--every N] [--fps F]}: the session's run (the current branch's
 * history, in step order) as an MP4, a GIF or a folder of PNGs, like the studio's File → Export time-lapse. Progress
 * with the time left goes to standard error; Ctrl+C stops it and leaves no half-written output.
 */
@Command(name = "timelapse", mixinStandardHelpOptions = true,
        description = "Write a time-lapse of a session's run (its current branch's history frames, in step order) as "
                + ".mp4, .gif or a folder of PNGs (a name without extension).")
final class SessionTimelapse implements java.util.concurrent.Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .vqsession file")
    Path file;

    @Option(names = "--out", required = true, paramLabel = "VIDEO.mp4|ANIM.gif|FOLDER",
            description = "where to write it; the extension chooses the format, none means a folder of PNGs")
    Path out;

    @Option(names = "--every", paramLabel = "N", defaultValue = "1",
            description = "use every N-th history frame and the last (default ${DEFAULT-VALUE})")
    int every;

    @Option(names = "--fps", defaultValue = "10", description = "frames per second (default ${DEFAULT-VALUE})")
    int fps;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        TimeLapse.Format.of(out);
        if (every < 1) {
            throw new IllegalArgumentException("--every " + every + ": give 1 or more");
        }
        SessionData d = SessionCommand.load(file).data();
        List<HistoryEntry> run = HistoryEntry.branchLineage(d.history(), d.branchId());
        if (run.isEmpty()) {
            throw new IllegalArgumentException(file + " has no history: there is no run to make a time-lapse of");
        }
        List<Frame> frames = TimeLapse.everyNth(run, every).stream().map(HistoryEntry::frame).toList();
        PrintStream err = System.err;
        long t0 = System.nanoTime();
        long[] lastLine = {Long.MIN_VALUE};
        // Ctrl+C: the export stops before its next frame and removes what it wrote before the JVM ends
        try (CtrlC stop = CtrlC.install("timelapse", 10_000)) {
            TimeLapse.write(out, FrameSource.of(frames), fps, n -> {
                long now = System.nanoTime();
                if (!quiet && (n == frames.size() || now - lastLine[0] >= 1_000_000_000L)) {
                    lastLine[0] = now;
                    err.println(line(n, frames.size(), now - t0));
                }
            }, stop::requested);
        } catch (CancellationException e) {
            err.println("timelapse: cancelled; " + out + " was not written");
            return 130;
        }
        Frame first = frames.get(0);
        System.out.println("wrote " + out + " (" + frames.size() + " frames of " + run.size() + " history entries, "
                + first.width() + "x" + first.height() + ", " + fps + " fps, branch " + run.get(run.size() - 1)
                .branchId() + ")");
        return 0;
    }

    /** @return e.g. {@code timelapse: frame 12/40 (30%), 0:05 left} */
    static String line(int done, int total, long elapsedNanos) {
        String head = String.format(Locale.ROOT, "timelapse: frame %d/%d (%d%%)", done, total,
                Math.round(100.0 * done / total));
        if (done >= total) {
            return head + ", took " + StepProgress.clock(elapsedNanos / 1e9);
        }
        return head + ", " + (done > 0 ? StepProgress.clock(elapsedNanos / 1e9 / done * (total - done)) + " left"
                : "time left unknown");
    }
}
