package dev.vqclip.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Writes a file so that readers see either the old complete file or the new complete file: the content goes to a
 * temporary file in the same folder, is flushed to disk, then replaces the target with an atomic move. When writing
 * fails the temporary file is deleted and the previous file is untouched.
 *
 * <p>The result has the permissions an ordinary write would give it: a new file gets the process's default (the
 * umask applies, as for any file a program creates), and a replaced file keeps the permissions it had.
 * ({@link Files#createTempFile} would make every saved image, session and model readable by its owner only.)
 */
public final class AtomicFiles {
    private static final SecureRandom NAMES = new SecureRandom();

    /** Writes content to a stream; may throw. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Replaces {@code target} atomically with what {@code writer} writes.
     *
     * @throws IOException naming the target when writing or moving fails
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException(target + ": folder " + dir + " does not exist");
        }
        Path tmp = null;
        boolean done = false;
        try {
            FileChannel ch = null;
            for (int attempt = 0; ch == null; attempt++) {
                tmp = dir.resolve("." + abs.getFileName() + "-" + Long.toUnsignedString(NAMES.nextLong(), 36)
                        + ".tmp");
                try {
                    // created like any new file (mode 0666 less the umask), unlike Files.createTempFile's 0600
                    ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    tmp = null;
                    if (attempt == 99) {
                        throw e;
                    }
                }
            }
            try (FileChannel open = ch) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(open), 1 << 16);
                writer.write(out);
                out.flush();
                open.force(true);
            }
            keepPermissions(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(target + ": the file system cannot replace files atomically", e);
            }
            done = true;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException && e.getMessage() != null && e.getMessage().startsWith(target.toString())) {
                throw e;
            }
            throw new IOException(target + ": cannot save: " + e.getMessage(), e);
        } finally {
            if (!done && tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Gives {@code tmp} the POSIX permissions of an existing {@code target} (nothing when either is not POSIX). */
    private static void keepPermissions(Path target, Path tmp) throws IOException {
        PosixFileAttributeView old = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        PosixFileAttributeView fresh = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        if (old == null || fresh == null) {
            return;
        }
        Set<PosixFilePermission> perms;
        try {
            perms = old.readAttributes().permissions();
        } catch (NoSuchFileException e) {
            return; // a new file: it keeps the default it was created with
        }
        fresh.setPermissions(perms);
    }
}
