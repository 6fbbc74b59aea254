package dev.vqclip.cli;

import dev.vqclip.engine.weights.DType;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.Safetensors;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.TorchCheckpoint;
import dev.vqclip.engine.weights.WeightFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vqclip weights FILE}: what a model file holds, read safely; optionally converted to safetensors. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = {"Inspect a model file (torch.save zip or legacy checkpoint, TorchScript archive, safetensors).",
                "Reading never runs code from the file."})
public final class WeightsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the model file")
    Path file;

    @Option(names = {"-l", "--list"}, description = "list every tensor with its type and shape")
    boolean list;

    @Option(names = "--to-safetensors", paramLabel = "OUT",
            description = "write the tensors (types as stored) to a safetensors file")
    Path output;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        WeightFiles.Format format = WeightFiles.detect(file);
        out.println(file + ": " + format);
        StateDict sd;
        if (format == WeightFiles.Format.TORCH_ZIP || format == WeightFiles.Format.TORCH_LEGACY) {
            TorchCheckpoint ckpt = TorchCheckpoint.read(file);
            ckpt.getLong("epoch").ifPresent(v -> out.println("  epoch: " + v));
            ckpt.getLong("global_step").ifPresent(v -> out.println("  global_step: " + v));
            ckpt.getString("pytorch-lightning_version").ifPresent(v -> out.println("  lightning: " + v));
            sd = ckpt.stateDict();
        } else {
            sd = WeightFiles.load(file);
            if (format == WeightFiles.Format.SAFETENSORS) {
                Safetensors.readMetadata(file).forEach((k, v) -> out.println("  metadata " + k + ": " + v));
            }
        }
        Map<DType, long[]> byType = new EnumMap<>(DType.class);
        for (RawTensor t : sd.asMap().values()) {
            long[] c = byType.computeIfAbsent(t.dtype(), d -> new long[2]);
            c[0]++;
            c[1] += t.numel();
        }
        out.println("  tensors: " + sd.size());
        byType.forEach((d, c) -> out.printf("  %-8s %5d tensors %,15d values%n", d, c[0], c[1]));
        if (list) {
            sd.asMap().forEach((name, t) -> out.printf("    %-60s %-8s %s%n", name, t.dtype(),
                    Arrays.toString(t.shape())));
        }
        if (output != null) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("converted_from", file.getFileName().toString());
            Safetensors.write(output, sd.asMap(), meta);
            out.println("wrote " + output);
        }
        return 0;
    }
}
