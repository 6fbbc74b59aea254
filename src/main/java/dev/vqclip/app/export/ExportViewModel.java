package dev.vqclip.app.export;

import dev.vqclip.app.core.DialogService;
import dev.vqclip.app.core.LongJob;
import dev.vqclip.app.core.StudioStatus;
import dev.vqclip.app.core.TaskExecutor;
import dev.vqclip.app.history.HistoryViewModel;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.image.Upscale;
import dev.vqclip.session.HistoryEntry;
import dev.vqclip.session.ImageMetadata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * File → Export: the shown frame as PNG (1×, 2×, 4× upscaled) with the prompts and settings in UTF-8 {@code iTXt}
 * chunks, and the current branch's lineage as an animated GIF or numbered PNGs. The writing happens on the engine
 * thread through the {@link TaskExecutor}; the UI thread never waits.
 */
public final class ExportViewModel {
    /**
     * What an export reads.
     *
     * @param shownFrame the frame on the canvas (null: none yet)
     * @param history the history whose current branch the GIF and the frames hold
     * @param metadata the text a PNG carries ({@link ImageMetadata}: prompts, settings, step, models)
     */
    public record Source(Supplier<Frame> shownFrame, HistoryViewModel history, Supplier<Map<String, String>> metadata) {
    }

    private final TaskExecutor executor;
    private final DialogService dialogs;
    private final StudioStatus status;
    private final Source source;
    private final TimeLapseExport timeLapse;

    public ExportViewModel(TaskExecutor executor, DialogService dialogs, StudioStatus status, Source source) {
        this.executor = executor;
        this.dialogs = dialogs;
        this.status = status;
        this.source = source;
        this.timeLapse = new TimeLapseExport(executor, dialogs, status, this::branchEntries);
    }

    /** @return File → Export a time-lapse of this run (MP4, GIF or PNG frames, with progress and Cancel) */
    public TimeLapseExport timeLapse() {
        return timeLapse;
    }

    public void exportFrame() {
        exportFrame(1);
    }

    /** File → Export frame (1×, 2× or 4× upscaled): asks where, then {@link #exportFrameTo(Path, int)}. */
    public void exportFrame(int scale) {
        if (source.shownFrame().get() == null) {
            status.notice("nothing to export yet");
            return;
        }
        String name = scale == 1 ? "frame.png" : "frame-" + scale + "x.png";
        dialogs.chooseSaveFile(scale == 1 ? "Export frame as PNG" : "Export frame " + scale + "× upscaled as PNG",
                ".png", name).ifPresent(f -> exportFrameTo(f, scale));
    }

    /** Writes the shown frame as PNG with prompts and settings in UTF-8 {@code iTXt} chunks ({@link ImageMetadata}). */
    public void exportFrameTo(Path file) {
        exportFrameTo(file, 1);
    }

    /**
     * Writes the shown frame as PNG with prompts and settings in UTF-8 {@code iTXt} chunks, enlarged {@code scale}
     * times with a Lanczos-3 filter ({@link Upscale}) on the engine thread; {@code vqclip.scale} then says how it was
     * enlarged from which size.
     */
    public void exportFrameTo(Path file, int scale) {
        Frame f = Objects.requireNonNull(source.shownFrame().get(), "no frame");
        Map<String, String> text = new LinkedHashMap<>(source.metadata().get());
        if (scale != 1) {
            text.put("vqclip.scale", scale + "x Lanczos-3 from " + f.width() + "x" + f.height());
        }
        // an upscaled export is a long job: the status bar shows its stages and a Cancel (none for a 1× PNG)
        LongJob job = status.job();
        boolean tracked = scale != 1 && job.start("Exporting " + file.getFileName(), 2, "stages (upscale, write)");
        executor.onEngine(() -> {
            Frame out = Upscale.lanczos(f, scale);
            if (tracked) {
                executor.runOnUi(() -> job.progress(1));
                if (job.isCancelled()) {
                    throw new CancellationException("cancelled");
                }
            }
            Png.write(file, out, text);
            return out;
        }, out -> {
            if (tracked) {
                job.finish();
            }
            status.notice("exported " + file.getFileName() + (scale == 1 ? "" : " at " + out.width() + "×"
                    + out.height()));
        }, e -> {
            if (tracked) {
                job.finish();
            }
            if (e instanceof CancellationException) {
                status.notice("export cancelled: nothing was written");
            } else {
                status.fileError(file, "could not export " + file.getFileName(), e);
            }
        });
    }

    public void exportGif() {
        dialogs.chooseSaveFile("Export history as GIF", ".gif", "history.gif").ifPresent(this::exportGifTo);
    }

    /** Writes the current branch's lineage (oldest first) as an animated GIF. */
    public void exportGifTo(Path file) {
        List<Frame> frames = branchEntries().stream().map(HistoryEntry::frame).toList();
        if (frames.isEmpty()) {
            status.notice("the history is empty");
            return;
        }
        executor.onEngine(() -> {
            Images.writeGif(file, frames, 200);
            return file;
        }, p -> status.notice("exported " + frames.size() + " frames to " + p.getFileName()),
                e -> status.fileError(file, "could not export " + file.getFileName(), e));
    }

    public void exportFrameFolder() {
        dialogs.chooseFolder("Export history frames to folder").ifPresent(this::exportFramesTo);
    }

    /** Writes the current branch's lineage as numbered PNGs into a folder. */
    public void exportFramesTo(Path dir) {
        List<HistoryEntry> entries = branchEntries();
        if (entries.isEmpty()) {
            status.notice("the history is empty");
            return;
        }
        executor.onEngine(() -> {
            Files.createDirectories(dir);
            int i = 0;
            for (HistoryEntry e : entries) {
                Path f = dir.resolve(String.format(Locale.ROOT, "frame-%03d-step-%05d.png", i++, e.step()));
                Png.write(f, e.frame(), Map.of());
            }
            return entries.size();
        }, n -> status.notice("exported " + n + " frames"),
                e -> status.fileError(dir, "could not export to " + dir, e));
    }

    /** @return the selected entry's lineage, else the current branch's newest entry's, else the newest entry's */
    private List<HistoryEntry> branchEntries() {
        HistoryViewModel history = source.history();
        HistoryEntry selected = history.selectedProperty().get();
        return selected != null ? history.lineage(selected)
                : HistoryEntry.branchLineage(history.entries(), history.getBranch());
    }
}
