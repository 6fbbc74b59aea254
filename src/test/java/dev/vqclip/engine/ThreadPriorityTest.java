package dev.vqclip.engine;

import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ThreadPriorityTest {
    @Test
    void lowersOnlyTheCallingThreadAndThreadsItStartsLater() throws Exception {
        AtomicReference<OptionalInt> engine = new AtomicReference<>();
        AtomicReference<OptionalInt> child = new AtomicReference<>();
        AtomicReference<Boolean> lowered = new AtomicReference<>();
        Thread t = new Thread(() -> {
            lowered.set(ThreadPriority.lowerCurrentThread());
            engine.set(ThreadPriority.currentNice());
            Thread c = new Thread(() -> child.set(ThreadPriority.currentNice()));
            c.start();
            try {
                c.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        OptionalInt before = ThreadPriority.currentNice();
        t.start();
        t.join();
        assertThat(t.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
        if (Platform.isLinux()) {
            assertThat(lowered.get()).isTrue();
            assertThat(engine.get()).hasValue(Math.max(before.orElseThrow(), ThreadPriority.BACKGROUND_NICE));
            assertThat(child.get()).as("threads started later inherit it").isEqualTo(engine.get());
            assertThat(ThreadPriority.currentNice()).as("the caller is untouched").isEqualTo(before);
        } else {
            assertThat(lowered.get()).isFalse();
        }
    }

    @Test
    void niceOfReadsWhatTheSystemSaysOfTheThread() {
        if (!Platform.isLinux()) {
            assertThat(ThreadPriority.processNice()).isEmpty();
            return;
        }
        int tid = LibC.get().gettid();
        assertThat(ThreadPriority.niceOf(tid)).isEqualTo(ThreadPriority.currentNice());
        assertThat(ThreadPriority.niceOf(Integer.MAX_VALUE)).as("no such thread").isEmpty();
    }
}
