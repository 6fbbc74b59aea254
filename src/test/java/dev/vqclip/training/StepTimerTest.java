package dev.vqclip.training;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StepTimerTest {
    @Test
    void estimatesTheTimeLeftFromTheMeanStepSoFar() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        StepTimer t = new StepTimer(now::get);
        now.addAndGet(125_000_000_000L); // 100 steps in 125 s
        assertThat(t.progress(100, 4000)).isEqualTo("0:02:05 elapsed, 1.25 s/step, about 1:21:15 left");
        now.addAndGet(4_875_000_000_000L);
        assertThat(t.progress(4000, 4000)).isEqualTo("done in 1:23:20");
    }

    @Test
    void formatsHoursMinutesAndSeconds() {
        assertThat(StepTimer.clock(0)).isEqualTo("0:00:00");
        assertThat(StepTimer.clock(59.6)).isEqualTo("0:01:00");
        assertThat(StepTimer.clock(3 * 3600 + 7 * 60 + 9)).isEqualTo("3:07:09");
        assertThat(StepTimer.clock(-2)).isEqualTo("0:00:00");
    }

    @Test
    void rejectsStepsOutsideTheRun() {
        StepTimer t = new StepTimer(() -> 0L);
        assertThatThrownBy(() -> t.progress(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.progress(11, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
