package dev.vqclip.cli;

import ai.djl.Device;
import dev.vqclip.engine.check.Diagnostics;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.engine.vqgan.VqganConfig;
import dev.vqclip.models.ResolvedModels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code vqclip doctor}: the machine, the PyTorch build, threads and the numerical self-check, for bug reports. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Prints what a bug report needs: CPU and its instruction sets, the libtorch build, the "
            + "instruction set oneDNN uses, threads and how they wait, what the standard-error filter dropped, "
            + "devices, and the self-check of the VQGAN's operations (each convolution shape, group norm, the "
            + "sampler) against float64.")
public final class DoctorCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ModelOptions models = new ModelOptions();

    @Option(names = "--builtin", paramLabel = "CONFIG",
            description = "Check the shapes of a built-in VQGAN config instead (random weights, no download), "
                    + "e.g. vqgan_imagenet_f16_16384.")
    String builtin;

    @Option(names = "--onednn-probe", hidden = true, description = "Run one oneDNN convolution and exit.")
    boolean probe;

    @Override
    public Integer call() throws Exception {
        if (probe) {
            Diagnostics.probeOnednn();
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Diagnostics.ModelShapes shapes;
        if (builtin != null) {
            try (Vqgan vq = Vqgan.randomWeights(VqganConfig.builtin(builtin), Device.cpu(), 1)) {
                shapes = new Diagnostics.ModelShapes(builtin + " VQGAN", vq.convSignatures(), vq.normChannels(),
                        VqganConfig.NORM_GROUPS);
            }
        } else {
            ResolvedModels rm = models.resolve(err);
            err.flush();
            try (Vqgan vq = Vqgan.load(rm.vqganCkpt(), rm.vqganConfig(), Device.cpu())) {
                shapes = new Diagnostics.ModelShapes("VQGAN " + rm.vqganName(),
                        vq.convSignatures(), vq.normChannels(), VqganConfig.NORM_GROUPS);
            }
        }
        out.print(Diagnostics.report(spec.root().version()[0], shapes, Diagnostics.probeCommand(Main.class.getName())));
        out.flush();
        return 0;
    }
}
