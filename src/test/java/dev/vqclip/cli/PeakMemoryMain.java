package dev.vqclip.cli;

/**
 * Runs the {@code vqclip} command line, then prints this process's peak resident memory ({@code VmHWM}) as the last
 * line of standard error: {@code peak-rss-bytes=N}. A test launches it as a child JVM (test class path, so it never
 * ships) to measure what one command costs with the JVM's default settings.
 */
public final class PeakMemoryMain {
    private PeakMemoryMain() {
    }

    public static void main(String[] args) {
        int code = Main.run(args);
        System.err.println("peak-rss-bytes=" + ProcessMemory.now().peakRssBytes());
        System.exit(code);
    }
}
