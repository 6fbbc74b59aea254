package dev.vqclip.engine.weights;

import net.razorvine.pickle.PickleException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.ZipException;

/**
 * Entry point for model files: detects the format from the file's content (never its extension) and reads every
 * tensor into a {@link StateDict}.
 *
 * <p>Formats: {@code torch.save} zip (PyTorch ≥ 1.6), {@code torch.save} legacy, TorchScript archives (OpenAI's CLIP
 * {@code .pt} files) and safetensors. For torch.save files the tensors are those of the top-level key
 * {@code state_dict} when it exists (Lightning checkpoints), else the tensor entries of the top-level dict. For
 * TorchScript archives each tensor attribute of the module tree is named by its attribute path (e.g.
 * {@code visual.transformer.resblocks.0.attn.in_proj_weight}), buffers included.
 *
 * <p>Model files are untrusted: pickles are interpreted against an allow-list and no code from them ever runs; all
 * sizes are validated before allocating. Any problem gives a {@link WeightsException} whose message starts with the
 * file name. Dtypes are kept as stored (fp16/bf16 too); {@link RawTensor} converts.
 *
 * <p>Memory: each tensor's bytes are read once into a direct (off-heap) buffer; they are freed by the garbage
 * collector when the {@link StateDict} becomes unreachable, so drop it once the weights are on the engine. All
 * methods are thread-safe (no shared state).
 */
public final class WeightFiles {
    /** The formats this package reads. */
    public enum Format {
        /** {@code torch.save} with the zip container (PyTorch ≥ 1.6, also Lightning {@code .ckpt}) */
        TORCH_ZIP,
        /** {@code torch.save} with {@code _use_new_zipfile_serialization=False} or PyTorch < 1.6 */
        TORCH_LEGACY,
        /** a TorchScript archive ({@code torch.jit.save}) */
        TORCHSCRIPT,
        /** Hugging Face safetensors */
        SAFETENSORS
    }

    private static final int MAX_DEPTH = 256;

    private WeightFiles() {
    }

    /**
     * Reads all tensors of a model file.
     *
     * @param file a torch.save (zip or legacy) checkpoint, a TorchScript archive or a safetensors file
     * @return the tensors by name, in file order; plain Java memory, no engine resources
     * @throws WeightsException naming the file when it cannot be read, is not a model file, is corrupt or truncated,
     *     or its pickle names anything outside the allow-list
     */
    public static StateDict load(Path file) {
        return load(file, name -> true);
    }

    /**
     * Reads the tensors whose names pass {@code keep}; the others are validated but their bytes are never read
     * (e.g. skip the {@code loss.*} tensors of a taming checkpoint).
     *
     * @throws WeightsException as {@link #load(Path)}, also when no tensor passes the filter
     */
    public static StateDict load(Path file, Predicate<String> keep) {
        Format format = detect(file);
        return switch (format) {
            case TORCH_ZIP, TORCH_LEGACY -> TorchCheckpoint.read(file, keep).stateDict();
            case TORCHSCRIPT -> guard(file, () -> readTorchScript(file, keep));
            case SAFETENSORS -> Safetensors.read(file, keep);
        };
    }

    /**
     * Recognises the format from the first bytes (and, for zip archives, the entry names).
     *
     * @throws WeightsException when the file is none of the supported formats, with a hint of what it looks like
     */
    public static Format detect(Path file) {
        return guard(file, () -> {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(512);
            }
            if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5)) {
                try (TorchZip zip = TorchZip.open(file)) {
                    return zip.isTorchScript() ? Format.TORCHSCRIPT : Format.TORCH_ZIP;
                }
            }
            if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 0 && head[1] <= 5) {
                return Format.TORCH_LEGACY;
            }
            if (head.length >= 10 && head[8] == '{') {
                return Format.SAFETENSORS;
            }
            throw new BadFile("not a model file (" + describe(head) + "); expected a PyTorch checkpoint, a "
                    + "TorchScript archive or a safetensors file");
        });
    }

    private static String describe(byte[] h) {
        String ascii = new String(h, 0, Math.min(h.length, 64), StandardCharsets.ISO_8859_1).trim().toLowerCase();
        if (h.length == 0) {
            return "the file is empty";
        }
        if (h.length >= 8 && (h[0] & 0xff) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') {
            return "it is a PNG image";
        }
        if (h.length >= 3 && (h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xd8) {
            return "it is a JPEG image";
        }
        if (ascii.startsWith("<!doctype html") || ascii.startsWith("<html") || ascii.startsWith("<?xml")
                || ascii.startsWith("<")) {
            return "it looks like an HTML/XML page, perhaps a failed download or a login page";
        }
        if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
            return "it is gzip-compressed";
        }
        if (h.length >= 6 && (h[0] & 0xff) == 0x93 && h[1] == 'N' && h[2] == 'U') {
            return "it is a NumPy .npy array";
        }
        if (h.length >= 262 && new String(h, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            return "it is a tar archive; the tar-based torch.save of PyTorch < 0.4 is not supported";
        }
        if (h.length < 16) {
            return "only " + h.length + " bytes long";
        }
        boolean text = true;
        for (byte b : h) {
            text &= b >= 0x20 || b == '\n' || b == '\r' || b == '\t' || b < 0;
        }
        return text ? "it is a text file" : "unrecognised content";
    }

    private static StateDict readTorchScript(Path file, Predicate<String> keep) throws IOException {
        try (TorchZip zip = TorchZip.open(file)) {
            Object root = zip.readData();
            if (!(root instanceof ScriptObject module)) {
                throw new BadFile("TorchScript archive whose data.pkl holds a " + SafeUnpickler.typeName(root)
                        + ", not a module");
            }
            Map<String, TensorRef> refs = tensorsOf(module, new int[1]);
            if (refs.isEmpty()) {
                throw new BadFile("TorchScript archive holds no tensors");
            }
            return new StateDict(file.toString(), Materializer.read(select(refs, keep), zip, zip.fileSize()));
        }
    }

    /**
     * Names every tensor attribute of a TorchScript module tree by its attribute path. Each module object is visited
     * once: the pickle's memo can make many attributes point at one object, and a walk that followed every path
     * would take 2^depth steps on a graph where each level's attributes share one child. A module reached again
     * (shared, or a cycle) is not walked again; its tensors keep the name of the path that reached it first. The walk
     * goes depth-first in attribute order and refuses trees deeper than {@value #MAX_DEPTH} levels.
     *
     * @param visits receives the number of module objects visited (index 0), for tests
     */
    static Map<String, TensorRef> tensorsOf(ScriptObject root, int[] visits) {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        Set<ScriptObject> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        walk(root, "", 0, out, seen, visits);
        return out;
    }

    private static void walk(ScriptObject module, String prefix, int depth, Map<String, TensorRef> out,
                             Set<ScriptObject> seen, int[] visits) {
        if (depth > MAX_DEPTH) {
            throw new BadFile("TorchScript module tree is deeper than " + MAX_DEPTH + " levels");
        }
        if (!seen.add(module)) {
            return;
        }
        visits[0]++;
        for (Map.Entry<String, Object> e : module.attributes().entrySet()) {
            if (e.getValue() instanceof TensorRef t) {
                out.putIfAbsent(prefix + e.getKey(), t);
            } else if (e.getValue() instanceof ScriptObject child) {
                walk(child, prefix + e.getKey() + ".", depth + 1, out, seen, visits);
            }
        }
    }

    /** @return the entries whose names pass the filter; throws when none does */
    static <T> Map<String, T> select(Map<String, T> all, Predicate<String> keep) {
        Map<String, T> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (keep.test(k)) {
                out.put(k, v);
            }
        });
        if (out.isEmpty()) {
            throw new BadFile("none of its " + all.size() + " tensors passes the requested filter");
        }
        return out;
    }

    /** Body of a read that may fail in the ways a file can. */
    interface Reading<T> {
        T run() throws IOException;
    }

    /** Runs a read and turns every failure into a {@link WeightsException} that starts with the file name. */
    static <T> T guard(Path file, Reading<T> body) {
        try {
            return body.run();
        } catch (WeightsException e) {
            throw e;
        } catch (BadFile e) {
            throw new WeightsException(file + ": " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new WeightsException(file + ": no such file", e);
        } catch (ZipException e) {
            throw new WeightsException(file + ": truncated or corrupt zip archive (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new WeightsException(file + ": file is truncated", e);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            boolean ended = m.contains("premature end") || m.contains("expected more bytes");
            throw new WeightsException(file + (ended ? ": file is truncated or corrupt (" + m + ")"
                    : ": cannot read (" + e + ")"), e);
        } catch (PickleException e) {
            throw new WeightsException(file + ": corrupt pickle (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            throw new WeightsException(file + ": corrupt or truncated file (" + e + ")", e);
        } catch (StackOverflowError e) {
            throw new WeightsException(file + ": corrupt pickle (nested too deeply)", e);
        } catch (OutOfMemoryError e) {
            throw new WeightsException(file + ": not enough memory to read it (the Java heap limit is "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; direct buffers share that limit)", e);
        }
    }
}
