package dev.vqclip.cli;

import dev.vqclip.engine.EngineThreads;
import dev.vqclip.engine.NativeStderr;
import dev.vqclip.runtime.NativeRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code java -jar vqclip.jar}. With a command it runs that command headless; subcommands are listed
 * on {@link Main.VqclipCommand}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // before anything loads libtorch: its meaningless warnings (NNPACK on CPUs without it) are dropped, the rest
        // of standard error passes unchanged; vqclip doctor says what was dropped
        NativeStderr.install();
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int run(String... args) {
        if (System.getProperty("ai.djl.offline") == null) {
            // model files are local; never let DJL reach for the network
            System.setProperty("ai.djl.offline", "true");
        }
        // before DJL's engine loads: an installed CUDA runtime (vqclip runtime install cuda) replaces the CPU build
        NativeRuntime.select();
        CommandLine cl = new CommandLine(new VqclipCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // the wait policy and thread count must be in place before anything loads libtorch
        cl.setExecutionStrategy(parsed -> {
            configureThreads(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex.getMessage() + runtimeHint(ex));
            if (Boolean.getBoolean("vqclip.debug")) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    /**
     * @return a hint when libtorch failed to load while an installed or user-given runtime was chosen: how to start
     *         with the CPU build, and where to read more; else ""
     */
    static String runtimeHint(Throwable ex) {
        boolean linkage = false;
        for (Throwable t = ex; t != null && !linkage; t = t.getCause()) {
            linkage = t instanceof LinkageError || t instanceof ai.djl.engine.EngineException;
        }
        if (!linkage) {
            return "";
        }
        return NativeRuntime.current()
                .filter(c -> c.folder().isPresent())
                .map(c -> "\n(libtorch did not load from " + c.folder().get() + ", chosen because " + c.reason()
                        + ". VQCLIP_RUNTIME=cpu starts with the bundled CPU build; vqclip doctor says more.)")
                .orElse("");
    }

    private static void configureThreads(CommandLine.ParseResult parsed) {
        Integer requested = parsed.matchedOptionValue("--threads", null);
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        String name = last.commandSpec().name();
        if (name.equals("train-demo")) {
            // it divides its own --threads between its two trainings
            EngineThreads.setWaitPolicy();
            return;
        }
        boolean interactive = last == parsed || name.equals("studio");
        try {
            EngineThreads.configure(requested, interactive);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(parsed.commandSpec().commandLine(), e.getMessage(), e, null,
                    String.valueOf(requested));
        }
    }

    /** The root command. */
    @Command(name = "vqclip", mixinStandardHelpOptions = true, version = "vqclip 0.1.0",
            description = "VQGAN-CLIP Studio: generate and edit images from text.",
            subcommands = {CommandLine.HelpCommand.class,
                WeightsCommand.class,
                TokenizeCommand.class,
                ModelsCommand.class,
                GenerateCommand.class,
                AnimateCommand.class,
                EditCommand.class,
                ReconstructCommand.class,
                BenchCommand.class,
                EmbedCommand.class,
                StudioCommand.class,
                SessionCommand.class,
                DoctorCommand.class,
                RuntimeCommand.class,
                TrainDemoCommand.class})
    public static final class VqclipCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = "--threads", paramLabel = "N", description = "PyTorch CPU threads for any "
                + "command (before the command: vqclip --threads 2 generate ...). Default: one per core; the studio "
                + "leaves one core to its window on machines with four or more. Also -Dvqclip.threads or "
                + "VQCLIP_THREADS. Waiting threads sleep (OMP_WAIT_POLICY=PASSIVE) unless the environment says "
                + "otherwise.")
        Integer threads;

        /** No command: open the studio (or print usage where there is no display). */
        @Override
        public void run() {
            if (!StudioCommand.displayAvailable()) {
                spec.commandLine().usage(System.out);
                System.out.println();
                System.out.println("(no display found: the studio window needs a desktop; commands work headless)");
                return;
            }
            int code = StudioCommand.launch(false, null);
            if (code != 0) {
                throw new CommandLine.ExecutionException(spec.commandLine(), "the studio could not start");
            }
        }
    }
}
