package dev.vqclip.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Structure;

/**
 * The few C library functions the engine calls (through JNA), bound once. Functions are resolved when first called,
 * so a C library without one of them (e.g. {@code mallinfo2} before glibc 2.33) fails only that call; callers catch
 * {@link LinkageError} and fall back.
 */
public interface LibC extends Library {
    /** @return the calling thread's id (glibc 2.30+) */
    int gettid();

    /** @return 0 on success */
    int setpriority(int which, int who, int prio);

    /** @return the nice value of the thread or process */
    int getpriority(int which, int who);

    /** @return the allocator statistics summed over all arenas (glibc 2.33+) */
    MallInfo2.ByValue mallinfo2();

    /** @return 1 when memory was released */
    int malloc_trim(long pad);

    /** @return 0 on success; sets a variable in the process environment that native libraries read */
    int setenv(String name, String value, int overwrite);

    /** @return the process environment's value (which may differ from Java's snapshot), or null */
    String getenv(String name);

    /** @return 1 when the descriptor is a terminal */
    int isatty(int fd);

    /** @return a new descriptor for the same open file, or -1 */
    int dup(int fd);

    /** @return {@code newFd} once it refers to what {@code oldFd} does (closing what it referred to), or -1 */
    int dup2(int oldFd, int newFd);

    /** @return 0 with {@code fds[0]} the read end and {@code fds[1]} the write end of a new pipe */
    int pipe(int[] fds);

    /** @return 0 on success */
    int close(int fd);

    /** @return bytes read, 0 at end of file, -1 on error */
    long read(int fd, byte[] buf, long count);

    /** @return bytes written, or -1 */
    long write(int fd, byte[] buf, long count);

    /** @return the number of descriptors ready, 0 on timeout, -1 on error */
    int poll(PollFd fds, long nfds, int timeoutMillis);

    /** @return the C library on Linux, or null elsewhere or when it cannot be loaded */
    static LibC get() {
        return Holder.LIBC;
    }

    /** Loads on first use. */
    final class Holder {
        static final LibC LIBC = load();

        private Holder() {
        }

        private static LibC load() {
            if (!Platform.isLinux()) {
                return null;
            }
            try {
                return Native.load("c", LibC.class);
            } catch (Exception | LinkageError e) {
                return null;
            }
        }
    }

    /** glibc's {@code struct mallinfo2}: ten {@code size_t} fields. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost"})
    class MallInfo2 extends Structure {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;

        /** Returned by value. */
        public static final class ByValue extends MallInfo2 implements Structure.ByValue {
        }
    }

    /** {@code struct pollfd}. */
    @Structure.FieldOrder({"fd", "events", "revents"})
    class PollFd extends Structure {
        /** Data to read. */
        public static final short POLLIN = 1;
        public int fd;
        public short events;
        public short revents;
    }
}
