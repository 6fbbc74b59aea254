package dev.vqclip.cli;

import dev.vqclip.models.Downloader;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The download options {@code models download} and {@code runtime install} share: the timeout and quietness. */
final class TransferOptions {
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up on a host after this many seconds without data (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    /** @return the mirror URLs of several {@code --mirror} values (each may list several) */
    static List<URI> mirrors(List<String> specs) {
        List<URI> out = new ArrayList<>();
        for (String m : specs) {
            out.addAll(Downloader.parseMirrors(m));
        }
        return out;
    }

    /**
     * @return {@code base} with the read timeout set
     * @throws CommandLine.ParameterException for a timeout that is not positive
     */
    Downloader.Options apply(Downloader.Options base, CommandLine cl) {
        if (!(timeoutSeconds > 0)) {
            throw new CommandLine.ParameterException(cl, "--timeout must be positive");
        }
        return base.withTimeouts(base.connectTimeout(), Duration.ofMillis((long) (timeoutSeconds * 1000)));
    }
}
