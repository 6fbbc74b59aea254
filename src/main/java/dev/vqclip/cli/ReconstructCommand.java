package dev.vqclip.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.Devices;
import dev.vqclip.engine.image.Images;
import dev.vqclip.engine.io.AtomicFiles;
import dev.vqclip.engine.vqgan.Quantized;
import dev.vqclip.engine.vqgan.Vqgan;
import dev.vqclip.engine.vqgan.VqganConfig;
import dev.vqclip.engine.weights.WeightFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;

/** {@code vqclip reconstruct --vqgan X.ckpt --config X.yaml IN.png OUT.png}: encode, quantize and decode an image. */
@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = "Encode an image with a VQGAN, quantize it to codebook tokens and decode it again. Shows what "
                + "the model can represent. The image is centre-cropped to a multiple of the model's factor.")
public final class ReconstructCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--vqgan", required = true, paramLabel = "CKPT", description = "The VQGAN checkpoint (.ckpt).")
    Path checkpoint;

    @Option(names = "--config", required = true, paramLabel = "YAML|NAME",
            description = "Its taming yaml, or a built-in config name (vqgan_imagenet_f16_16384, "
                    + "vqgan_imagenet_f16_1024, vqgan_gumbel_f8_8192).")
    String config;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu, gpu:N or mps (Apple silicon) (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--max-size", defaultValue = "512", paramLabel = "PX",
            description = "Scale larger images down so the longer side is at most this many pixels; the encoder's "
                    + "memory grows with the pixel count (default ${DEFAULT-VALUE}).")
    int maxSize;

    @Parameters(index = "0", paramLabel = "IN", description = "Input image (PNG, JPEG, BMP or GIF).")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output image (PNG unless the name ends in .jpg/.bmp).")
    Path output;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        BufferedImage image = Images.readBufferedImage(input);
        VqganConfig cfg = config(config);
        int f = cfg.factor();
        if (maxSize < f) {
            throw new IllegalArgumentException("--max-size " + maxSize + " is below the model's factor " + f);
        }
        int longer = Math.max(image.getWidth(), image.getHeight());
        if (longer > maxSize) {
            int sw = Math.max(1, (int) Math.round((double) image.getWidth() * maxSize / longer));
            int sh = Math.max(1, (int) Math.round((double) image.getHeight() * maxSize / longer));
            out.printf("note: %s is %d×%d; scaled down to %d×%d (--max-size %d)%n", input.getFileName(),
                    image.getWidth(), image.getHeight(), sw, sh, maxSize);
            image = scale(image, sw, sh);
        }
        int w = image.getWidth() / f * f;
        int h = image.getHeight() / f * f;
        if (w == 0 || h == 0) {
            throw new IllegalArgumentException(input + " is " + image.getWidth() + "×" + image.getHeight()
                    + " pixels; the model needs at least " + f + "×" + f);
        }
        if (w != image.getWidth() || h != image.getHeight()) {
            out.printf("note: %s is %d×%d; centre-cropped to %d×%d (a multiple of the model's factor %d)%n",
                    input.getFileName(), image.getWidth(), image.getHeight(), w, h, f);
            image = image.getSubimage((image.getWidth() - w) / 2, (image.getHeight() - h) / 2, w, h);
        }
        Device d = Devices.parse(device);
        long t0 = System.nanoTime();
        try (Vqgan vq = Vqgan.fromStateDict(WeightFiles.load(checkpoint), cfg, d);
                NDManager m = NDManager.newBaseManager(d)) {
            NDArray x = m.create(toPlanes(image), new Shape(1, 3, h, w));
            Quantized q = vq.quantizeEncoded(vq.encode(x));
            NDArray y = vq.decode(q.zq());
            BufferedImage result = fromPlanes(y.toFloatArray(), w, h);
            write(result, output);
            out.printf("reconstructed %s → %s (%d×%d px, %d×%d tokens of %d) on %s in %.1f s%n", input.getFileName(),
                    output, w, h, w / f, h / f, cfg.nEmbed(), Devices.describe(d), (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    static BufferedImage scale(BufferedImage img, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                    java.awt.RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(java.awt.RenderingHints.KEY_RENDERING, java.awt.RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(img, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** A built-in config name or a yaml path. */
    static VqganConfig config(String spec) {
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) {
            return VqganConfig.load(p);
        }
        String base = spec.endsWith(".yaml") ? spec.substring(0, spec.length() - 5) : spec;
        if (VqganConfig.BUILTIN.contains(base)) {
            return VqganConfig.builtin(base);
        }
        throw new IllegalArgumentException("--config " + spec + ": no such file, and not a built-in config "
                + VqganConfig.BUILTIN);
    }

    /** RGB pixels [0, 255] → planar floats in [-1, 1] (alpha ignored). */
    static float[] toPlanes(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] planes = new float[3 * w * h];
        int n = w * h;
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            planes[i] = ((p >> 16) & 0xff) / 127.5f - 1f;
            planes[n + i] = ((p >> 8) & 0xff) / 127.5f - 1f;
            planes[2 * n + i] = (p & 0xff) / 127.5f - 1f;
        }
        return planes;
    }

    /** Planar floats in [-1, 1] → RGB, clamped to [0, 255] and rounded. */
    static BufferedImage fromPlanes(float[] planes, int w, int h) {
        int n = w * h;
        int[] rgb = new int[n];
        for (int i = 0; i < n; i++) {
            rgb[i] = 0xff000000 | (channel(planes[i]) << 16) | (channel(planes[n + i]) << 8)
                    | channel(planes[2 * n + i]);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, rgb, 0, w);
        return img;
    }

    static int channel(float v) {
        float x = (v + 1f) * 127.5f;
        if (!(x > 0f)) {
            return 0; // also NaN
        }
        return x >= 255f ? 255 : Math.round(x);
    }

    static void write(BufferedImage img, Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String format = name.endsWith(".jpg") || name.endsWith(".jpeg") ? "jpg" : name.endsWith(".bmp") ? "bmp"
                : "png";
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IllegalArgumentException(file + ": the folder " + parent + " does not exist");
        }
        if (!ImageIO.getImageWritersByFormatName(format).hasNext()) {
            throw new IllegalArgumentException(file + ": no writer for " + format);
        }
        // a temporary beside the output, then an atomic move: killed at any moment, OUT is the old file or the new
        AtomicFiles.write(file, stream -> {
            if (!ImageIO.write(img, format, stream)) {
                throw new IOException("no writer for " + format);
            }
        });
    }
}
