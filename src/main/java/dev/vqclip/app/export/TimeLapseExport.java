package dev.vqclip.app.export;

import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.core.LongJob;
import dev.vqclip.app.core.StudioStatus;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.FrameSource;
import dev.vqclip.media.TimeLapse;
import dev.vqclip.session.HistoryEntry;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * File → Export a time-lapse of this run: the current branch's history frames in step order (every one, or every
 * N-th and the last) as an MP4, a GIF or a folder of PNGs, as the chosen name's extension says. It is written on the
 * engine thread while the status bar shows its progress, the time left and a Cancel; a cancelled export leaves no
 * file, and the session is only read.
 */
public final class TimeLapseExport {
    /** Frames per second of a time-lapse (each history entry is one frame). */
    public static final int FPS = 10;

    private final TaskExecutor executor;
    private final DialogService dialogs;
    private final StudioStatus status;
    private final Supplier<List<HistoryEntry>> branch;

    /** @param branch the entries of the run to show, oldest first (read on the UI thread) */
    public TimeLapseExport(TaskExecutor executor, DialogService dialogs, StudioStatus status,
                           Supplier<List<HistoryEntry>> branch) {
        this.executor = executor;
        this.dialogs = dialogs;
        this.status = status;
        this.branch = branch;
    }

    /** The menu item: asks where (the extension picks the format), then {@link #exportTo(Path, int)} every frame. */
    public void export() {
        if (branch.get().isEmpty()) {
            status.notice("the history is empty: there is no run to make a time-lapse of");
            return;
        }
        dialogs.chooseSaveFile("Export time-lapse (.mp4, .gif, or a name without extension for a folder of PNGs)",
                DialogService.VIDEO, "timelapse.mp4").ifPresent(f -> exportTo(f, 1));
    }

    /**
     * Writes every {@code every}-th history frame of the current branch (and its last) to {@code out}.
     *
     * @return false when nothing was started (an empty history, a wrong name, another job running: the status says)
     */
    public boolean exportTo(Path out, int every) {
        List<Frame> frames;
        try {
            TimeLapse.Format.of(out);
            frames = TimeLapse.everyNth(branch.get(), every).stream().map(HistoryEntry::frame).toList();
        } catch (IllegalArgumentException e) {
            status.error(e.getMessage());
            return false;
        }
        if (frames.isEmpty()) {
            status.notice("the history is empty: there is no run to make a time-lapse of");
            return false;
        }
        LongJob job = status.job();
        if (!job.start("Exporting time-lapse " + out.getFileName(), frames.size(), "frames")) {
            status.notice("another export is running: wait for it or cancel it first");
            return false;
        }
        executor.onEngine(() -> {
            TimeLapse.write(out, FrameSource.of(frames), FPS, n -> executor.runOnUi(() -> job.progress(n)),
                    job::isCancelled);
            return frames.size();
        }, n -> {
            job.finish();
            status.notice("exported a time-lapse of " + n + " frames to " + out.getFileName());
        }, e -> {
            job.finish();
            if (e instanceof CancellationException) {
                status.notice("time-lapse export cancelled: nothing was written");
            } else {
                status.fileError(out, "could not export the time-lapse " + out.getFileName(), e);
            }
        });
        return true;
    }
}
