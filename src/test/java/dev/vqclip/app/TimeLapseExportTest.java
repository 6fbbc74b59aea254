package dev.vqclip.app;

import dev.vqclip.app.core.LongJob;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Images;
import dev.vqclip.media.Mp4Reader;
import dev.vqclip.media.TimeLapse;
import dev.vqclip.session.HistoryEntry;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** File → Export time-lapse: the current branch's history as MP4, GIF or PNG frames, with progress and Cancel. */
class TimeLapseExportTest extends StudioViewModelTestBase {
    /** A paused run of 30 steps with an entry every 3 steps. */
    private List<HistoryEntry> smallHistory() {
        configure(vm, "red apple", 30, 3);
        vm.start();
        runTo(30);
        ex.runEngine(50);
        List<HistoryEntry> branch = HistoryEntry.branchLineage(vm.history().entries(), vm.history().getBranch());
        assertThat(branch).hasSizeGreaterThanOrEqualTo(8);
        return branch;
    }

    @Test
    void exportsTheBranchAsMp4GifAndFramesThatReadBack() throws Exception {
        List<HistoryEntry> branch = smallHistory();
        Path mp4 = tmp.resolve("run.mp4");
        Path gif = tmp.resolve("run.gif");
        Path folder = tmp.resolve("run-frames");
        assertThat(vm.export().timeLapse().exportTo(mp4, 1)).isTrue();
        ex.runEngine(10);
        assertThat(vm.studio().job().runningProperty().get()).isFalse();
        assertThat(vm.studio().noticeProperty().get())
                .isEqualTo("exported a time-lapse of " + branch.size() + " frames to run.mp4");
        List<Frame> video = Mp4Reader.read(mp4);
        assertThat(video).hasSize(branch.size());
        assertThat(video).allSatisfy(f -> assertThat(f.width() + "x" + f.height()).isEqualTo("64x48"));

        // every 2nd entry and the last
        assertThat(vm.export().timeLapse().exportTo(gif, 2)).isTrue();
        ex.runEngine(10);
        int expected = (branch.size() + 1) / 2 + ((branch.size() - 1) % 2 == 0 ? 0 : 1);
        ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            r.setInput(in);
            assertThat(r.getNumImages(true)).isEqualTo(expected);
            assertThat(r.getWidth(0)).isEqualTo(64);
            assertThat(r.getHeight(0)).isEqualTo(48);
        }

        assertThat(vm.export().timeLapse().exportTo(folder, 1)).isTrue();
        ex.runEngine(10);
        for (int i = 0; i < branch.size(); i++) {
            assertThat(Images.read(folder.resolve(TimeLapse.frameName(i))).argb())
                    .as("frame %d", i).isEqualTo(branch.get(i).frame().argb());
        }
    }

    @Test
    void cancellingLeavesNoFileAndTheSessionAsItWas() throws Exception {
        smallHistory();
        List<HistoryEntry> before = List.copyOf(vm.history().entries());
        boolean dirty = vm.studio().dirtyProperty().get();
        LongJob job = vm.studio().job();
        // the user presses Cancel once two frames are written
        job.doneProperty().addListener((o, a, b) -> {
            if (b.intValue() == 2) {
                job.cancel();
            }
        });
        for (String name : new String[] {"run.mp4", "run.gif", "frames"}) {
            Path out = tmp.resolve(name);
            assertThat(vm.export().timeLapse().exportTo(out, 1)).isTrue();
            assertThat(job.runningProperty().get()).isTrue();
            ex.runEngine(10);
            assertThat(job.runningProperty().get()).as(name).isFalse();
            assertThat(job.doneProperty().get()).as(name).isEqualTo(2);
            assertThat(vm.studio().noticeProperty().get()).isEqualTo("time-lapse export cancelled: nothing was "
                    + "written");
            assertThat(out).as(name).doesNotExist();
        }
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary is left")
                    .noneMatch(n -> n.startsWith(".run") || n.startsWith("frames"));
        }
        assertThat(vm.history().entries()).containsExactlyElementsOf(before);
        assertThat(vm.studio().dirtyProperty().get()).isEqualTo(dirty);
    }

    @Test
    void aWrongNameOrAnEmptyHistoryStartsNothing() {
        assertThat(vm.export().timeLapse().exportTo(tmp.resolve("run.mp4"), 1)).isFalse();
        assertThat(vm.studio().noticeProperty().get()).startsWith("the history is empty");
        smallHistory();
        assertThat(vm.export().timeLapse().exportTo(tmp.resolve("run.avi"), 1)).isFalse();
        assertThat(vm.studio().noticeProperty().get()).contains("not as .avi");
        assertThat(vm.studio().job().runningProperty().get()).isFalse();
        assertThat(ex.engine).isEmpty();
    }

    @Test
    void timeLeftIsTheTimePerFrameSoFarTimesTheFramesLeft() {
        long s = 1_000_000_000L;
        assertThat(LongJob.describe("Exporting time-lapse", 0, 40, "frames", 0))
                .isEqualTo("Exporting time-lapse: 0 of 40 frames (0%), time left unknown");
        assertThat(LongJob.describe("Exporting time-lapse", 10, 40, "frames", 5 * s))
                .isEqualTo("Exporting time-lapse: 10 of 40 frames (25%), 0:15 left");
        assertThat(LongJob.describe("Saving", 1, 1000, "entries", 4 * s))
                .isEqualTo("Saving: 1 of 1000 entries (0%), 1:06:36 left");
        assertThat(LongJob.describe("Exporting", 40, 40, "frames", 9 * s)).isEqualTo("Exporting: 40 of 40 frames (100%)");
        long[] now = {0};
        LongJob job = new LongJob(() -> now[0]);
        assertThat(job.start("Exporting", 4, "frames")).isTrue();
        assertThat(job.start("Another", 4, "frames")).as("one job at a time").isFalse();
        now[0] = 3 * s;
        job.progress(1);
        assertThat(job.textProperty().get()).isEqualTo("Exporting: 1 of 4 frames (25%), 0:09 left");
        assertThat(job.fractionProperty().get()).isEqualTo(0.25);
        job.cancel();
        assertThat(job.isCancelled()).isTrue();
        job.finish();
        assertThat(job.textProperty().get()).isEmpty();
        assertThat(job.start("Again", 2, "frames")).isTrue();
        assertThat(job.isCancelled()).as("a new job starts uncancelled").isFalse();
    }

    @Test
    void anUpscaledExportShowsItsStagesAndCanBeCancelledBeforeItWrites() {
        smallHistory();
        LongJob job = vm.studio().job();
        job.doneProperty().addListener((o, a, b) -> job.cancel());
        Path png = tmp.resolve("big.png");
        vm.export().exportFrameTo(png, 2);
        assertThat(job.textProperty().get()).isEqualTo("Exporting big.png…");
        ex.runEngine(10);
        assertThat(png).doesNotExist();
        assertThat(vm.studio().noticeProperty().get()).isEqualTo("export cancelled: nothing was written");
        assertThat(job.runningProperty().get()).isFalse();
    }
}
