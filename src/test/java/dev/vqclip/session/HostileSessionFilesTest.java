package dev.vqclip.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.testing.CraftedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Issue 21, items 2 and 5: session and run files that would exhaust memory or carry nonsense are refused on load
 * with a message naming the file, the entry or field, and the limit.
 */
class HostileSessionFilesTest {
    @TempDir
    Path tmp;

    @Test
    void theSessionBombIsRefusedFromItsPngHeaderBeforeAnythingIsDecoded() throws Exception {
        Path bomb = CraftedFiles.sessionBomb(tmp.resolve("bomb.vqsession"));
        System.out.println("session bomb: " + Files.size(bomb) + " bytes");
        assertThat(Files.size(bomb)).isLessThan(64_000);
        long t0 = System.nanoTime();
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> SessionStore.load(bomb)));
        System.out.printf("session bomb refused in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000,
                e.getMessage());
        assertThat(e.getMessage()).startsWith(bomb.toString()).contains("history entry 'h1'").contains("big.png")
                .contains("8192x8192").contains("512x512").contains("refused before decoding");
    }

    @Test
    void entriesThatShareOneFrameAndSnapshotAreDecodedOnce() throws Exception {
        Path file = sessionRepeatingItsEntry(tmp.resolve("shared.vqsession"), 40, true);
        List<HistoryEntry> h = SessionStore.load(file).data().history();
        assertThat(h).hasSize(40);
        for (HistoryEntry e : h) {
            assertThat(e.frame()).isSameAs(h.get(0).frame());
            assertThat(e.snapshot()).isSameAs(h.get(0).snapshot());
        }
    }

    @Test
    void aManifestListingMoreHistoryEntriesThanTheLimitIsRefused() throws Exception {
        Path file = sessionRepeatingItsEntry(tmp.resolve("many.vqsession"), SessionStore.MAX_ENTRIES + 1, false);
        assertThatThrownBy(() -> SessionStore.load(file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContaining("'history' lists 10001 entries")
                .hasMessageContaining("limit of 10000");
    }

    @Test
    void nonsenseInTheManifestsSettingsAndPromptRowsIsNamedInAWarning() throws Exception {
        Path file = CraftedFiles.smallSession(tmp.resolve("rows.vqsession"), 1);
        CraftedFiles.rewriteJson(file, "manifest.json", m -> {
            ((ObjectNode) m.withArray("promptRows").get(0)).put("weight", "NaN");
            ((ObjectNode) m.get("request")).put("beta1", 2147483648L);
        });
        SessionStore.Loaded loaded = SessionStore.load(file);
        assertThat(loaded.data().request()).isNull();
        assertThat(loaded.data().promptRows().get(0).weight()).isEqualTo(1.0);
        assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w).contains("beta1 must be in [0, 1)"))
                .anySatisfy(w -> assertThat(w).contains("promptRows[0].weight NaN is not a finite number"));
    }

    @Test
    void theLoadBudgetRefusesWhatWouldNotFitNamingTheFileTheEntryAndTheLimit() throws Exception {
        LoadBudget b = new LoadBudget("s.vqsession", 10 << 20);
        b.reserve(4 << 20, 4 << 20, "history/h1/frame.png (a 1024x1024 image)");
        assertThat(b.used()).isEqualTo(4 << 20);
        assertThatThrownBy(() -> b.reserve(4 << 20, 4 << 20, "history/h2/frame.png (a 1024x1024 image)"))
                .isInstanceOf(LoadBudget.LimitException.class)
                .hasMessage("s.vqsession: history/h2/frame.png (a 1024x1024 image) needs 8 MiB, more than the 6 MiB "
                        + "left of the 10 MiB one load may use (half the Java heap; -Xmx raises it)");
        assertThat(b.used()).isEqualTo(4 << 20);
    }

    @Test
    void aRunWhoseLatentAndMomentsAreNanIsRefusedNamingTheEntry() throws Exception {
        Path run = CraftedFiles.nanRun(tmp.resolve("nan.vqrun"));
        assertThatThrownBy(() -> RunFile.read(run)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(run.toString())
                .hasMessageContaining("z.npy holds 256 of 256 values that are not finite");
    }

    @Test
    void aNegativeSecondMomentIsRefused() throws Exception {
        RunSnapshot s = CraftedFiles.smallSnapshot(3);
        float[] v = s.adamV().clone();
        v[7] = -1e-3f;
        Path run = tmp.resolve("negative.vqrun");
        RunFile.write(run, new RunSnapshot(s.request(), 3, s.shape(), s.z(), s.adamM(), v, null, null),
                java.util.Map.of());
        assertThatThrownBy(() -> RunFile.read(run)).hasMessageStartingWith(run.toString())
                .hasMessageContaining("adam_v.npy holds 1 of 256 values that are negative or not finite")
                .hasMessageContaining("at index 7");
    }

    @Test
    void settingsOutsideTheirRangesAreRefusedNamingTheField() throws Exception {
        Object[][] cases = {
            {"beta1", 2147483648L, "beta1 must be in [0, 1), got 2.147483648E9"},
            {"beta2", 1.0, "beta2 must be in [0, 1)"},
            {"learningRate", 0, "learning rate must be > 0"},
            {"cutPow", "NaN", "cutPow must be a finite number > 0"},
            {"l2Weight", -1, "l2Weight must be a finite number ≥ 0"},
            {"l2Decay", 2, "l2Decay must be in [0, 1]"},
            {"cutouts", 5000, "cutouts must be 1..1024"},
            {"steps", -1, "steps must be ≥ 0"},
            {"width", 0, "impossible size 0x64"},
            {"steps", 1.5, "'steps' must be an integer"},
        };
        for (Object[] c : cases) {
            Path run = CraftedFiles.runWithSetting(tmp.resolve(c[0] + ".vqrun"), (String) c[0], c[1]);
            assertThatThrownBy(() -> RunFile.read(run)).as("%s = %s", c[0], c[1]).isInstanceOf(IOException.class)
                    .hasMessageStartingWith(run.toString()).hasMessageContaining((String) c[2]);
        }
    }

    @Test
    void aLatentGridLargerThanTheImageIsRefused() throws Exception {
        Path run = CraftedFiles.runWithSetting(tmp.resolve("grid.vqrun"), "width", 4);
        assertThatThrownBy(() -> RunFile.read(run)).hasMessageStartingWith(run.toString())
                .hasMessageContaining("'shape' [1, 4, 8, 8] has more latent cells than the request's 4x64 image");
    }

    @Test
    void corruptDeflateDataNamesTheFileAndTheEntry() throws Exception {
        Path good = tmp.resolve("good.vqrun");
        RunFile.write(good, CraftedFiles.smallSnapshot(3), java.util.Map.of());
        byte[] bytes = Files.readAllBytes(good);
        long start;
        long size;
        try (ZipFile z = new ZipFile(good.toFile())) {
            size = z.getEntry("z.npy").getCompressedSize();
        }
        // the local header of z.npy: signature, then its data after the 30-byte header and the name
        int at = indexOf(bytes, "z.npy".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        start = at + 5;
        Random r = new Random(21);
        int corrupt = 0;
        for (int i = 0; i < 40; i++) {
            byte[] b = bytes.clone();
            for (int k = 0; k < 4; k++) {
                b[(int) (start + 4 + r.nextInt((int) size - 8))] ^= (byte) (1 + r.nextInt(255));
            }
            Path bad = tmp.resolve("bad" + i + ".vqrun");
            Files.write(bad, b);
            try {
                RunFile.read(bad);
            } catch (IOException e) {
                assertThat(e.getMessage()).startsWith(bad.toString());
                if (e.getMessage().contains("entry z.npy is corrupt (")) {
                    corrupt++;
                }
            }
        }
        assertThat(corrupt).as("flips in the deflate data that the inflater refused").isPositive();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    /**
     * A small session whose manifest lists its one history entry {@code count} times, all pointing at the same
     * frame and snapshot; with {@code renumber} the copies get the ids h1, h2, ..., else all keep the first's.
     */
    private static Path sessionRepeatingItsEntry(Path file, int count, boolean renumber) throws IOException {
        CraftedFiles.smallSession(file, 1);
        CraftedFiles.rewriteJson(file, "manifest.json", m -> {
            ObjectNode first = (ObjectNode) m.withArray("history").get(0);
            ArrayNode h = m.putArray("history");
            for (int i = 1; i <= count; i++) {
                h.add(renumber ? first.deepCopy().put("id", "h" + i) : first);
            }
        });
        return file;
    }
}
