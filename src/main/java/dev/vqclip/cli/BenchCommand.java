package dev.vqclip.cli;

import picocli.CommandLine.Command;

/** {@code vqclip bench ...}: timings of the engine's hot paths. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time parts of the engine.",
        subcommands = {BenchDecodeCommand.class, BenchClipCommand.class, BenchStepCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
