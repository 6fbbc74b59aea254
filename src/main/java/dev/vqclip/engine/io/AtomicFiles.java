package dev.vqclip.engine.io;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a file so that readers see either the old complete file or the new complete file: the content goes to a
 * temporary file in the same folder ({@code .NAME-RANDOM.tmp}), is flushed to disk, then replaces the target with an
 * atomic move. When writing fails the temporary file is deleted and the previous file is untouched.
 *
 * <p><b>Leftovers of a killed process.</b> A process killed while writing leaves its temporary file behind. Every
 * write to a target first removes the temporaries of <em>that</em> target which no one is writing any more: a writer
 * holds an exclusive lock on its temporary file from creation until the move (the operating system drops the lock when
 * the process dies), so a temporary whose lock can be taken belongs to a dead writer. Temporaries of this JVM's own
 * writes in progress are never opened by the clean-up (on POSIX, closing any channel to a file would drop this
 * process's lock on it). Where the file system has no locks, only temporaries untouched for a day are removed.
 * {@link #cleanStale} does the same on its own, e.g. before removing a folder.
 *
 * <p>The result has the permissions an ordinary write would give it: a new file gets the process's default (the
 * umask applies, as for any file a program creates), and a replaced file keeps the permissions it had.
 * ({@link Files#createTempFile} would make every saved image, session and model readable by its owner only.)
 */
public final class AtomicFiles {
    private static final SecureRandom NAMES = new SecureRandom();
    /** Temporaries of this JVM's writes in progress: the clean-up must not open them. */
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();
    /** Without file locks, a temporary this old is taken to be a dead writer's. */
    private static final Duration UNLOCKABLE_AGE = Duration.ofDays(1);

    /** Writes content to a stream; may throw. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Replaces {@code target} atomically with what {@code writer} writes (after removing stale temporaries of it).
     *
     * @throws IOException naming the target when writing or moving fails
     */
    public static void write(Path target, Writer writer) throws IOException {
        try (Staged s = stage(target, writer)) {
            s.commit();
        }
    }

    /**
     * Writes {@code writer}'s content to a locked temporary file beside {@code target} and flushes it to disk, but
     * does not replace the target yet: {@link Staged#commit()} does, {@link Staged#close()} without a commit deletes
     * the temporary. Lets a caller prepare several files and change nothing unless all of them could be written.
     *
     * @throws IOException naming the target when the folder is missing or writing fails (nothing is left behind)
     */
    public static Staged stage(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException(target + ": folder " + dir + " does not exist");
        }
        cleanStale(abs);
        Staged s = null;
        try {
            s = create(target, abs);
            try (OutputStream raw = Channels.newOutputStream(new Unclosable(s.channel))) {
                OutputStream out = new BufferedOutputStream(raw, 1 << 16);
                writer.write(out);
                out.flush();
            }
            s.channel.force(true);
            return s;
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            throw named(target, e);
        }
    }

    /**
     * Removes the temporary files a killed writer left for {@code target} ({@code .NAME-RANDOM.tmp} beside it) that no
     * writer holds any more. Never throws: a temporary that cannot be removed stays.
     *
     * @return the temporaries removed
     */
    public static List<Path> cleanStale(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        List<Path> removed = new ArrayList<>();
        if (dir == null || abs.getFileName() == null) {
            return removed;
        }
        String prefix = "." + abs.getFileName() + "-";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> isTemporaryOf(p, prefix))) {
            for (Path p : ds) {
                try {
                    if (!IN_USE.contains(p) && removeIfAbandoned(p)) {
                        removed.add(p);
                    }
                } catch (IOException | RuntimeException e) {
                    // e.g. another user's temporary in a shared folder: not ours to remove
                }
            }
        } catch (IOException | RuntimeException e) {
            // cleaning is a courtesy: the write itself goes on
        }
        return removed;
    }

    /** @return whether {@code p} is named like a temporary of the target whose names start with {@code prefix} */
    private static boolean isTemporaryOf(Path p, String prefix) {
        String n = p.getFileName().toString();
        if (!n.startsWith(prefix) || !n.endsWith(".tmp")) {
            return false;
        }
        String middle = n.substring(prefix.length(), n.length() - 4);
        return !middle.isEmpty() && middle.length() <= 13 && middle.chars().allMatch(
                c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
    }

    /** Deletes a temporary whose writer is gone (its lock can be taken); keeps one another process holds. */
    private static boolean removeIfAbandoned(Path p) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return false;
        }
        try (ch) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return false; // held inside this JVM
            } catch (IOException e) {
                // no locks on this file system: only a long-untouched temporary is surely abandoned
                Instant modified = Files.getLastModifiedTime(p).toInstant();
                if (modified.isBefore(Instant.now().minus(UNLOCKABLE_AGE))) {
                    return Files.deleteIfExists(p);
                }
                return false;
            }
            if (lock == null) {
                return false; // another process is writing it
            }
            // deleted while locked: a writer that created it a moment ago and locks it after us sees it gone
            return Files.deleteIfExists(p);
        }
    }

    private static Staged create(Path target, Path abs) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = abs.resolveSibling("." + abs.getFileName() + "-"
                    + Long.toUnsignedString(NAMES.nextLong(), 36) + ".tmp");
            if (!IN_USE.add(tmp)) {
                continue;
            }
            FileChannel ch;
            try {
                // created like any new file (mode 0666 less the umask), unlike Files.createTempFile's 0600
                ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                IN_USE.remove(tmp);
                if (attempt >= 99) {
                    throw e;
                }
                continue;
            } catch (IOException | RuntimeException e) {
                IN_USE.remove(tmp);
                throw e;
            }
            FileLock lock = null;
            boolean ours;
            try {
                lock = ch.tryLock();
                // another process's clean-up may have taken it between creation and our lock, and deleted it
                ours = lock != null && Files.exists(tmp);
            } catch (IOException e) {
                ours = true; // no locks here: written unlocked (the clean-up then leaves it for a day)
            } catch (RuntimeException e) {
                ch.close();
                IN_USE.remove(tmp);
                throw e;
            }
            if (ours) {
                return new Staged(target, abs, tmp, ch, lock);
            }
            ch.close();
            IN_USE.remove(tmp);
            if (attempt >= 99) {
                throw new IOException(target + ": cannot create a temporary file beside it");
            }
        }
    }

    private static IOException named(Path target, Exception e) {
        if (e instanceof IOException && e.getMessage() != null && e.getMessage().startsWith(target.toString())) {
            return (IOException) e;
        }
        return new IOException(target + ": cannot save: " + e.getMessage(), e);
    }

    /**
     * A written, flushed temporary file waiting to replace its target. Close it in all cases (try-with-resources):
     * without {@link #commit()} the temporary is deleted.
     */
    public static final class Staged implements Closeable {
        private final Path target;
        private final Path abs;
        private final Path tmp;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean committed;
        private boolean closed;

        private Staged(Path target, Path abs, Path tmp, FileChannel channel, FileLock lock) {
            this.target = target;
            this.abs = abs;
            this.tmp = tmp;
            this.channel = channel;
            this.lock = lock;
        }

        /** @return the temporary file (for checking what was written before committing) */
        public Path temporary() {
            return tmp;
        }

        /**
         * Moves the temporary onto the target atomically (keeping the target's permissions).
         *
         * @throws IOException naming the target when the move fails (the temporary is deleted on close)
         */
        public void commit() throws IOException {
            if (closed || committed) {
                throw new IllegalStateException(target + ": already " + (committed ? "committed" : "closed"));
            }
            try {
                keepPermissions(abs, tmp);
                try {
                    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException(target + ": the file system cannot replace files atomically", e);
                }
                committed = true;
            } catch (IOException | RuntimeException e) {
                throw named(target, e);
            }
        }

        /** Releases the temporary: deleted unless committed. */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (!committed) {
                    Files.deleteIfExists(tmp); // still locked: no clean-up elsewhere races with this
                }
            } finally {
                try {
                    if (lock != null && lock.isValid()) {
                        lock.release();
                    }
                } finally {
                    channel.close();
                    IN_USE.remove(tmp);
                }
            }
        }
    }

    /** A channel the writer's stream may close without closing the staged file's channel. */
    private static final class Unclosable implements java.nio.channels.WritableByteChannel {
        private final FileChannel ch;

        Unclosable(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public int write(java.nio.ByteBuffer src) throws IOException {
            return ch.write(src);
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() {
            // the staged file stays open (and locked) until commit or close
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
