package dev.vqclip.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The child process of {@link NativeStderrTest}: installs the filter, writes libtorch's NNPACK line N times straight
 * to descriptor 2 (as native code does) between real lines, waits for the parent after the lines that must arrive
 * before the process goes on, prints the counts on standard output and exits with a last line still in flight.
 */
public final class NativeStderrChild {
    static final String NNPACK = "[W1206 00:38:43.781657288 NNPACK.cpp:62] Could not initialize NNPACK! Reason: "
            + "Unsupported hardware.\n";

    private NativeStderrChild() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        BufferedReader parent = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("installed " + NativeStderr.install());
        System.out.flush();
        for (int i = 0; i < n; i++) {
            raw(NNPACK);
        }
        raw("[W1206 00:38:44.000000001 Conv.cpp:7] Warning: a real warning\n");
        raw("real line\n");
        parent.readLine(); // the parent has seen "real line"
        raw("live 50%");
        parent.readLine(); // the parent has seen the start of a line without its end
        raw("[held start");
        parent.readLine(); // ... and a start that could have been noise
        raw(" end\n");
        for (int i = 0; i < n; i++) {
            raw(NNPACK);
        }
        System.err.println("from System.err");
        parent.readLine(); // the parent has seen it, so the copier has passed every line before it
        System.out.println("dropped " + NativeStderr.filtered()[0]);
        System.out.println(NativeStderr.state());
        NativeStderr.dropped().forEach(System.out::println);
        System.out.flush();
        raw("last words without an end");
        System.exit(0);
    }

    private static void raw(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        LibC.get().write(2, b, b.length);
    }
}
