package dev.vqclip.session;

import java.nio.file.Path;

/**
 * The child process {@link SessionKillTest} kills: prints {@code ready}, then saves session B, A, B, A... to the file
 * given as its argument with {@link SessionStore#save}, without pause, printing {@code saved N} after each, until it
 * is killed.
 */
public final class SessionSaveKillChild {
    private SessionSaveKillChild() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        SessionData a = SessionKillTest.sessionA();
        SessionData b = SessionKillTest.sessionB();
        System.out.println("ready");
        for (long i = 1; ; i++) {
            SessionStore.save(file, i % 2 == 1 ? b : a);
            System.out.println("saved " + i);
        }
    }
}
