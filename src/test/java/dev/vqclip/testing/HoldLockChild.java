package dev.vqclip.testing;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child process that locks the file given as its argument the way a writer in progress does (an exclusive lock on
 * an open channel), prints {@code locked}, and holds it until it is killed or its input closes.
 */
public final class HoldLockChild {
    private HoldLockChild() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock
            }
        }
    }
}
