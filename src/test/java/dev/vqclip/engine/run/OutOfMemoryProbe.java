package dev.vqclip.engine.run;

import dev.vqclip.engine.guide.PromptParser;

import java.util.Arrays;

/**
 * Child-process main for {@link RunOutOfMemoryTest}: makes a real allocation failure in the middle of a run. It takes
 * two steps of a run on the tiny reference models, then lowers its own address-space limit (RLIMIT_AS, soft limit
 * only, with {@code setrlimit}) to what it uses now, so libtorch's next large allocation fails, and takes a step. It
 * prints what happened, raises the limit again and takes one more step. Lines: {@code before-z HASH},
 * {@code oom MESSAGE} or {@code no-oom}, {@code after-z HASH}, {@code same-state true|false} (z, m and v bit for bit), {@code step-count N}, {@code resumed-step N}.
 */
public final class OutOfMemoryProbe {
    private OutOfMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        int side = Integer.parseInt(args[0]);
        try (RunModels models = TinyModels.load();
             Run run = Run.start(models, GenerationRequest.defaults(PromptParser.parse("a red apple"))
                     .withSize(side, side).withCutouts(4).withSeed(3))) {
            run.step(false);
            run.step(false);
            RunSnapshot before = run.snapshot();
            System.out.println("before-z " + hash(before.z()) + " m " + hash(before.adamM()) + " step "
                    + before.step());
            long vm = vmSize();
            limit(vm + (Long.parseLong(args[1]) << 20));
            try {
                run.step(false);
                limit(-1);
                System.out.println("no-oom");
            } catch (RunOutOfMemoryException e) {
                limit(-1);
                System.out.println("oom " + e.getMessage().replace('\n', ' '));
            }
            RunSnapshot after = run.snapshot();
            System.out.println("after-z " + hash(after.z()) + " m " + hash(after.adamM()) + " step " + after.step());
            System.out.println("same-state " + (Arrays.equals(before.z(), after.z())
                    && Arrays.equals(before.adamM(), after.adamM()) && Arrays.equals(before.adamV(), after.adamV())));
            System.out.println("step-count " + run.stepCount());
            System.out.println("resumed-step " + run.step(false).step());
        }
    }

    private static int hash(float[] values) {
        return Arrays.hashCode(values);
    }

    private static long vmSize() throws Exception {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmSize");
    }

    /** setrlimit/getrlimit of the C library; {@code struct rlimit} is two 64-bit words on Linux x86-64 and arm64. */
    interface Limits extends com.sun.jna.Library {
        Limits C = com.sun.jna.Native.load("c", Limits.class);

        int getrlimit(int resource, long[] limit);

        int setrlimit(int resource, long[] limit);
    }

    private static final int RLIMIT_AS = 9;

    /** Sets this process's soft address-space limit (the hard limit stays as it is, so it can be raised again). */
    private static void limit(long soft) {
        long[] l = new long[2];
        if (Limits.C.getrlimit(RLIMIT_AS, l) != 0) {
            throw new IllegalStateException("getrlimit failed");
        }
        l[0] = soft < 0 ? l[1] : soft;
        if (Limits.C.setrlimit(RLIMIT_AS, l) != 0) {
            throw new IllegalStateException("setrlimit failed");
        }
    }
}
