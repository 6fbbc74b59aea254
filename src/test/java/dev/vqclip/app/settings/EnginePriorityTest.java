package dev.vqclip.app.settings;

import dev.vqclip.engine.LibC;
import dev.vqclip.engine.ThreadPriority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's priority: the process's own by default, nice 10 with "Run in the background" (Linux, read in /proc). */
class EnginePriorityTest {
    private static final String NAME = "vqtest-engine";

    @BeforeEach
    void privatePreferences() {
        PrivatePreferences.use("test-priority");
    }

    @AfterEach
    void forget() throws Exception {
        PrivatePreferences.forget();
    }

    /** A thread made by the engine thread factory, parked until released; its id as Linux knows it. */
    private static final class EngineThread implements AutoCloseable {
        final AtomicInteger tid = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Thread thread;

        EngineThread(java.util.concurrent.ThreadFactory f) throws InterruptedException {
            thread = f.newThread(() -> {
                tid.set(LibC.get().gettid());
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        }

        OptionalInt nice() {
            return ThreadPriority.niceOf(tid.get());
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            thread.join();
        }
    }

    @Test
    void byDefaultTheEngineThreadRunsAtTheProcesssPriority() throws Exception {
        assertThat(EnginePriority.saved()).isFalse();
        int process = ThreadPriority.processNice().orElseThrow();
        try (EngineThread t = new EngineThread(EnginePriority.engineThreads(NAME))) {
            assertThat(t.thread.getName()).isEqualTo(NAME);
            assertThat(t.thread.isDaemon()).isTrue();
            assertThat(t.nice()).hasValue(process);
        }
    }

    @Test
    void withTheSettingOnItStartsAtNiceTenAndTheSettingIsSaved() throws Exception {
        EnginePriority p = new EnginePriority(NAME);
        assertThat(p.backgroundProperty().get()).as("off by default").isFalse();
        p.backgroundProperty().set(true);
        assertThat(EnginePriority.saved()).isTrue();
        assertThat(new EnginePriority(NAME).backgroundProperty().get()).as("read back at the next start").isTrue();
        int process = ThreadPriority.processNice().orElseThrow();
        try (EngineThread t = new EngineThread(EnginePriority.engineThreads(NAME))) {
            assertThat(t.nice()).hasValue(Math.max(ThreadPriority.BACKGROUND_NICE, process));
        }
        assertThat(ThreadPriority.processNice()).as("the rest of the process is untouched").hasValue(process);
    }

    @Test
    void togglingAppliesToTheRunningEngineThreadsAndOnlyToThem() throws Exception {
        int process = ThreadPriority.processNice().orElseThrow();
        EnginePriority p = new EnginePriority(NAME);
        // the second thread of the same name stands for a PyTorch worker, which inherits its creator's name
        try (EngineThread engine = new EngineThread(EnginePriority.engineThreads(NAME));
             EngineThread worker = new EngineThread(EnginePriority.engineThreads(NAME));
             EngineThread other = new EngineThread(EnginePriority.engineThreads("vqtest-other"))) {
            assertThat(engine.nice()).hasValue(process);
            p.backgroundProperty().set(true);
            int bg = Math.max(ThreadPriority.BACKGROUND_NICE, process);
            assertThat(engine.nice()).hasValue(bg);
            assertThat(worker.nice()).hasValue(bg);
            assertThat(other.nice()).as("a thread of another name").hasValue(process);
            assertThat(p.noticeProperty().get()).isEmpty();
            p.backgroundProperty().set(false);
            if (p.noticeProperty().get().isEmpty()) {
                assertThat(engine.nice()).hasValue(process);
                assertThat(worker.nice()).hasValue(process);
            } else {
                // an unprivileged user may not lower a nice value again (RLIMIT_NICE): the user is told
                assertThat(p.noticeProperty().get()).contains("until the studio restarts");
                assertThat(engine.nice()).hasValue(bg);
            }
            assertThat(EnginePriority.saved()).isFalse();
        }
    }
}
