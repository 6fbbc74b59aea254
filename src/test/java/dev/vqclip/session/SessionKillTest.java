package dev.vqclip.session;

import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.run.RunSnapshot;
import dev.vqclip.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child JVM saving a session (alternately B and A, without pause) is killed (SIGKILL) at a random moment,
 * {@value #KILLS} times (a quarter of them during its first, slow save, the others among the fast saves after it); after every kill the file opens without a warning and holds exactly session A or session B,
 * the old or the new one. The temporaries the kills leave are removed by the next save to that file, and a save by
 * this process while the child is saving to the same file fails neither of them (each leaves the other's
 * temporary alone). The seed is printed; {@code -Dvqclip.killSeed=N} repeats a run.
 */
class SessionKillTest {
    private static final int KILLS = 24;

    /** The session the file starts with: three history entries, paint, mask, a current run. */
    static SessionData sessionA() {
        return SessionStoreTest.session();
    }

    /** The other session: five entries with layers of their own. */
    static SessionData sessionB() {
        return SessionStoreTest.layeredSession();
    }

    @Test
    @Timeout(600)
    void killedWhileSavingTheFileIsAlwaysTheOldOrTheNewSession(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("vqclip.killSeed", System.nanoTime());
        Random rnd = new Random(seed);
        String a = asSaved(sessionA(), dir);
        String b = asSaved(sessionB(), dir);
        assertThat(a).isNotEqualTo(b);
        Path file = dir.resolve("s.vqsession");
        SessionStore.save(file, sessionA());

        int sawA = 0;
        int sawB = 0;
        int midWrite = 0;
        long saves = 0;
        for (int round = 0; round < KILLS; round++) {
            try (ChildJvm c = ChildJvm.start(SessionSaveKillChild.class, List.of("-Xmx256m"),
                    List.of(file.toString()), dir)) {
                if (round % 4 == 0) {
                    c.await("ready", 60_000); // during the first save (slow: classes load, code is cold)
                    Thread.sleep(rnd.nextInt(600));
                } else {
                    c.await("saved 1", 60_000); // among the next ones (tens of ms each)
                    Thread.sleep(rnd.nextInt(300));
                }
                c.kill();
                saves += c.output().lines().filter(l -> l.startsWith("saved ")).count();
            }
            midWrite += temporaries(dir).isEmpty() ? 0 : 1;
            SessionStore.Loaded l = SessionStore.load(file);
            String what = "round " + round + " (seed " + seed + ")";
            assertThat(l.warnings()).as(what + ": warnings").isEmpty();
            String got = fingerprint(l.data());
            assertThat(got).as(what + ": the file holds session A or session B").isIn(a, b);
            if (got.equals(a)) {
                sawA++;
            } else {
                sawB++;
            }
        }
        System.out.printf("session save killed %d times (seed %d, %d saves completed in all): %d times the file "
                + "held A, %d times B, never anything else; %d kills left a temporary (landed mid-write)%n", KILLS,
                seed, saves, sawA, sawB, midWrite);

        SessionStore.save(file, sessionB());
        assertThat(temporaries(dir)).as("temporaries after the next save").isEmpty();
        assertThat(fingerprint(SessionStore.load(file).data())).isEqualTo(b);
    }

    @Test
    @Timeout(120)
    void twoProcessesSavingTheSameFileAtOnceLeaveEachOtherAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("both.vqsession");
        String a = asSaved(sessionA(), dir);
        String b = asSaved(sessionB(), dir);
        int mine = 0;
        try (ChildJvm c = ChildJvm.start(SessionSaveKillChild.class, List.of("-Xmx256m"), List.of(file.toString()),
                dir)) {
            c.await("saved 1", 60_000);
            long end = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < end) {
                SessionStore.save(file, sessionA()); // each save first cleans temporaries of the file: not the child's
                mine++;
                assertThat(c.isAlive()).as("the child failed while this process saved too:\n" + c.output()).isTrue();
            }
            int before = (int) c.output().lines().filter(l -> l.startsWith("saved ")).count();
            c.await("saved " + (before + 1), 30_000);
            c.kill();
        }
        assertThat(mine).isGreaterThan(0);
        assertThat(fingerprint(SessionStore.load(file).data())).isIn(a, b);
    }

    /** @return the fingerprint of the session as a reader of its file sees it (loading fills in defaults) */
    private static String asSaved(SessionData d, Path dir) throws Exception {
        Path f = dir.resolve("reference.vqsession");
        SessionStore.save(f, d);
        SessionStore.Loaded l = SessionStore.load(f);
        assertThat(l.warnings()).isEmpty();
        Files.delete(f);
        return fingerprint(l.data());
    }

    static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".s.vqsession-")).toList();
        }
    }

    /** @return a digest of everything a session holds that a reader sees */
    static String fingerprint(SessionData d) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        text(md, String.valueOf(d.request()));
        text(md, String.valueOf(d.promptRows()));
        text(md, d.branchId());
        text(md, new java.util.TreeMap<>(d.models()).toString());
        frame(md, d.frame());
        frame(md, d.paint());
        floats(md, d.mask() == null ? null : d.mask().values());
        snapshot(md, d.current());
        for (HistoryEntry e : d.history()) {
            text(md, e.id() + "|" + e.parentId() + "|" + e.branchId() + "|" + e.step() + "|" + e.label() + "|"
                    + e.createdMillis());
            frame(md, e.frame());
            snapshot(md, e.snapshot());
            Layers l = e.layers();
            text(md, l == null ? "no layers" : "layers");
            if (l != null) {
                frame(md, l.paint());
                floats(md, l.mask() == null ? null : l.mask().values());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void snapshot(MessageDigest md, RunSnapshot s) {
        if (s == null) {
            text(md, "no snapshot");
            return;
        }
        text(md, s.request() + "|" + s.step() + "|" + java.util.Arrays.toString(s.shape()));
        floats(md, s.z());
        floats(md, s.adamM());
        floats(md, s.adamV());
        floats(md, s.mask() == null ? null : s.mask().values());
        floats(md, s.original());
    }

    private static void frame(MessageDigest md, Frame f) {
        if (f == null) {
            text(md, "no frame");
            return;
        }
        text(md, f.width() + "x" + f.height());
        ByteBuffer b = ByteBuffer.allocate(f.argb().length * 4);
        b.asIntBuffer().put(f.argb());
        md.update(b);
    }

    private static void floats(MessageDigest md, float[] v) {
        if (v == null) {
            text(md, "none");
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(v.length * 4);
        for (float x : v) {
            b.putInt(Float.floatToRawIntBits(x));
        }
        b.flip();
        md.update(b);
    }

    private static void text(MessageDigest md, String s) {
        byte[] t = String.valueOf(s).getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(4).putInt(t.length).flip());
        md.update(t);
    }
}
