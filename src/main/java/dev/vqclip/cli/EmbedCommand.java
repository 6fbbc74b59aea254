package dev.vqclip.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.clip.Clip;
import dev.vqclip.engine.clip.ClipImages;
import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import dev.vqclip.engine.weights.Npy;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqclip embed --clip FILE (--text T | --image PNG) --out E.npy}: a CLIP embedding, L2-normalised. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Writes the L2-normalised CLIP embedding of a text or an image as a float32 .npy of shape (1, D).",
            "Images are resized (bicubic, shorter side) and centre-cropped to the model's resolution like clip.load."})
public final class EmbedCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--clip", required = true, paramLabel = "FILE",
            description = "OpenAI CLIP ViT weights: the released .pt (TorchScript archive), a state dict or safetensors.")
    Path clipFile;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "CLIP's BPE merges file (bpe_simple_vocab_16e6.txt.gz); needed with --text.")
    Path vocab;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "Text to embed.")
        String text;

        @Option(names = "--image", paramLabel = "IMAGE", description = "Image to embed (PNG or JPEG).")
        Path image;
    }

    @Option(names = "--out", required = true, paramLabel = "E.npy", description = "Where to write the embedding.")
    Path out;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu, gpu:N or mps (Apple silicon) (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws Exception {
        if (input.text != null && vocab == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--text needs --vocab FILE: the BPE merges file of CLIP (bpe_simple_vocab_16e6.txt.gz)");
        }
        ClipTokenizer tokenizer = input.text != null ? ClipTokenizer.load(vocab) : null;
        Device d = Devices.parse(device);
        float[] embedding;
        try (Clip clip = Clip.load(clipFile, d); NDManager m = NDManager.newBaseManager(d)) {
            NDArray features;
            if (tokenizer != null) {
                long[] ids = tokenizer.tokenize(input.text, clip.contextLength(), true);
                features = clip.encodeText(m, new long[][] {ids});
            } else {
                int r = clip.imageResolution();
                float[] px = ClipImages.preprocess(ClipImages.read(input.image), r);
                features = clip.encodeImage(clip.normalize(m.create(px, new Shape(1, 3, r, r))));
            }
            embedding = features.normalize(2, -1, 1e-12).toFloatArray();
        }
        Npy.writeFloats(out, embedding, 1, embedding.length);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("wrote %s: %s embedding (1, %d), L2-normalised%n", out, input.text != null ? "text" : "image",
                embedding.length);
        o.flush();
        return 0;
    }
}
