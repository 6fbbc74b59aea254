package dev.vqclip.app;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A real signal sent to this process reaches the handler; closing puts the previous handler back. */
class TerminationSignalsTest {
    private static void send(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(ProcessHandle.current().pid()))
                .inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    @Test
    void aSignalReachesTheHandlerUntilClosed() throws Exception {
        // WINCH (terminal resized) is ignored by default and unused by the JVM: safe to send to the test process
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        TerminationSignals s = TerminationSignals.install(List.of("WINCH", "NO-SUCH-SIGNAL"),
                (name, number) -> got.add(name + " " + number));
        assertThat(s.count()).as("the unknown signal is skipped, not fatal").isEqualTo(1);
        send("WINCH");
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("WINCH 28");

        s.close();
        send("WINCH");
        assertThat(got.poll(500, TimeUnit.MILLISECONDS)).as("the previous (ignoring) handler is back").isNull();
    }
}
