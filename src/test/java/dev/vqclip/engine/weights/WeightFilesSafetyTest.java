package dev.vqclip.engine.weights;

import dev.vqclip.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static net.razorvine.pickle.Opcodes.BINPERSID;
import static net.razorvine.pickle.Opcodes.EMPTY_DICT;
import static net.razorvine.pickle.Opcodes.EMPTY_TUPLE;
import static net.razorvine.pickle.Opcodes.MARK;
import static net.razorvine.pickle.Opcodes.NEWFALSE;
import static net.razorvine.pickle.Opcodes.NEWOBJ;
import static net.razorvine.pickle.Opcodes.REDUCE;
import static net.razorvine.pickle.Opcodes.SETITEMS;
import static net.razorvine.pickle.Opcodes.SHORT_BINUNICODE;
import static net.razorvine.pickle.Opcodes.STACK_GLOBAL;
import static net.razorvine.pickle.Opcodes.STOP;
import static net.razorvine.pickle.Opcodes.TUPLE;
import static net.razorvine.pickle.Opcodes.TUPLE1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Malicious, corrupt, truncated and foreign files give a clear WeightsException and never run anything. */
class WeightFilesSafetyTest {
    @TempDir
    Path tmp;

    private Path evilZip(PickleBytes pickle) throws Exception {
        return PickleBytes.torchZip(tmp.resolve("evil.ckpt"), "evil", pickle.bytes(), Map.of());
    }

    @Test
    void posixSystemInsideTorchZipIsRefusedAndNotRun() throws Exception {
        Path marker = tmp.resolve("pwned");
        Path file = evilZip(PickleBytes.proto(2).global("posix", "system")
                .str("touch " + marker).op(TUPLE1, REDUCE, STOP));
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("posix.system")
                .hasMessageContaining("allow-list");
        assertThat(marker).doesNotExist();
    }

    @Test
    void otherDangerousGlobalsAreRefusedByName() throws Exception {
        for (String[] g : new String[][]{{"os", "system"}, {"builtins", "eval"}, {"subprocess", "Popen"},
                {"builtins", "getattr"}, {"torch", "load"}, {"torch.serialization", "load"},
                {"numpy", "load"}, {"omegaconf.dictconfig", "DictConfig"}}) {
            PickleBytes p = PickleBytes.proto(2).global(g[0], g[1]).str("x").op(TUPLE1, REDUCE, STOP);
            Path file = evilZip(p);
            assertThatThrownBy(() -> WeightFiles.load(file))
                    .isInstanceOf(WeightsException.class)
                    .hasMessageContaining(g[0] + "." + g[1]);
        }
    }

    @Test
    void wholePickledModelIsRefusedWithAHint() throws Exception {
        Path file = evilZip(PickleBytes.proto(2).global("taming.models.vqgan", "VQModel").op(EMPTY_TUPLE, NEWOBJ)
                .op(STOP));
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("taming.models.vqgan.VQModel")
                .hasMessageContaining("re-save its state_dict");
    }

    @Test
    void stackGlobalIsCheckedLikeGlobal() throws Exception {
        // protocol 4: SHORT_BINUNICODE module, SHORT_BINUNICODE name, STACK_GLOBAL
        PickleBytes p = PickleBytes.proto(4);
        for (String s : new String[]{"subprocess", "Popen"}) {
            p.op(SHORT_BINUNICODE, s.length());
            for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
                p.op(b);
            }
        }
        p.op(STACK_GLOBAL).str("id").op(TUPLE1, REDUCE, STOP);
        Path file = evilZip(p);
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("subprocess.Popen");
    }

    @Test
    void maliciousLegacyCheckpointIsRefused() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(PickleBytes.legacyPreamble());
        b.writeBytes(PickleBytes.proto(2).global("os", "system").str("echo hi").op(TUPLE1, REDUCE, STOP).bytes());
        Path file = tmp.resolve("evil_legacy.ckpt");
        Files.write(file, b.toByteArray());
        assertThat(WeightFiles.detect(file)).isEqualTo(WeightFiles.Format.TORCH_LEGACY);
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("os.system");
    }

    @Test
    void inertLightningClassIsNeverInstantiated() throws Exception {
        Path file = evilZip(PickleBytes.proto(2)
                .global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint").op(EMPTY_TUPLE, REDUCE)
                .op(STOP));
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("refusing to call")
                .hasMessageContaining("ModelCheckpoint");
    }

    @Test
    void torchScriptClassesAreRefusedOutsideTorchScriptArchives() throws Exception {
        Path file = evilZip(PickleBytes.proto(2).global("__torch__.evil", "Thing").op(EMPTY_TUPLE, NEWOBJ, STOP));
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("__torch__.evil.Thing")
                .hasMessageContaining("TorchScript");
    }

    @Test
    void sharedStoragesAndNonContiguousStridesAreGatheredInCOrder() throws Exception {
        PickleBytes p = PickleBytes.proto(2).global("collections", "OrderedDict").op(EMPTY_TUPLE, REDUCE, MARK);
        p.str("matrix").tensor("FloatStorage", "0", 6, 0, new long[]{2, 3}, new long[]{3, 1});
        p.str("transposed").tensor("FloatStorage", "0", 6, 0, new long[]{3, 2}, new long[]{1, 3});
        p.str("tail").tensor("FloatStorage", "0", 6, 4, new long[]{2}, new long[]{1});
        p.str("column").tensor("FloatStorage", "0", 6, 1, new long[]{2}, new long[]{3});
        p.str("broadcast").tensor("FloatStorage", "0", 6, 5, new long[]{2, 2}, new long[]{0, 0});
        p.str("scalar").tensor("FloatStorage", "0", 6, 3, new long[]{}, new long[]{});
        p.str("empty").tensor("FloatStorage", "0", 6, 6, new long[]{0, 4}, new long[]{4, 1});
        p.op(SETITEMS, STOP);
        Path file = PickleBytes.torchZip(tmp.resolve("views.pt"), "archive", p.bytes(),
                Map.of("0", PickleBytes.floats(0, 1, 2, 3, 4, 5)));
        StateDict sd = WeightFiles.load(file);
        assertThat(sd.names()).containsExactly("matrix", "transposed", "tail", "column", "broadcast", "scalar",
                "empty");
        assertThat(sd.get("matrix").toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(sd.get("transposed", 3, 2).toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(sd.get("tail").toFloatArray()).containsExactly(4, 5);
        assertThat(sd.get("column").toFloatArray()).containsExactly(1, 4);
        assertThat(sd.get("broadcast").toFloatArray()).containsExactly(5, 5, 5, 5);
        assertThat(sd.get("scalar").toFloatArray()).containsExactly(3);
        assertThat(sd.get("empty").numel()).isZero();
    }

    @Test
    void tensorReachingBeyondItsStorageIsRefused() throws Exception {
        PickleBytes p = PickleBytes.proto(2).op(EMPTY_DICT, MARK);
        p.str("w").tensor("FloatStorage", "0", 6, 2, new long[]{2, 3}, new long[]{3, 1});
        p.op(SETITEMS, STOP);
        Path file = PickleBytes.torchZip(tmp.resolve("oob.pt"), "oob", p.bytes(),
                Map.of("0", PickleBytes.floats(0, 1, 2, 3, 4, 5)));
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("reaches element 7")
                .hasMessageContaining("holds 6");
    }

    @Test
    void storageClaimingMoreThanItsEntryIsRefusedBeforeAllocating() throws Exception {
        PickleBytes p = PickleBytes.proto(2).op(EMPTY_DICT, MARK);
        p.str("huge").tensor("FloatStorage", "0", 1L << 40, 0, new long[]{1L << 20, 1L << 20},
                new long[]{1L << 20, 1});
        p.op(SETITEMS, STOP);
        Path file = PickleBytes.torchZip(tmp.resolve("huge.pt"), "huge", p.bytes(),
                Map.of("0", PickleBytes.floats(1, 2, 3, 4)));
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("storage '0' claims 1099511627776")
                .hasMessageContaining("16 bytes");
    }

    @Test
    void shapeWhoseElementCountOverflowsIsRefused() throws Exception {
        PickleBytes p = PickleBytes.proto(2).op(EMPTY_DICT, MARK);
        p.str("w").tensor("FloatStorage", "0", 4, 0, new long[]{1L << 62, 1L << 62}, new long[]{1, 1});
        p.op(SETITEMS, STOP);
        Path file = PickleBytes.torchZip(tmp.resolve("overflow.pt"), "o", p.bytes(),
                Map.of("0", PickleBytes.floats(1, 2, 3, 4)));
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("overflows");
    }

    @Test
    void truncatedCheckpointsAreRefusedWithTheFileName() throws Exception {
        for (String model : new String[]{"vqgan_tiny.ckpt", "vqgan_tiny_legacy.ckpt", "clip_tiny_jit.pt"}) {
            byte[] all = Files.readAllBytes(Reference.file(model));
            for (double fraction : new double[]{0.003, 0.5, 0.999}) {
                Path cut = tmp.resolve("cut_" + fraction + "_" + model);
                Files.write(cut, Arrays.copyOf(all, (int) (all.length * fraction)));
                assertThatThrownBy(() -> WeightFiles.load(cut))
                        .as(model + " cut at " + fraction)
                        .isInstanceOf(WeightsException.class)
                        .hasMessageStartingWith(cut.toString())
                        .hasMessageFindingMatch("truncated|corrupt|premature");
            }
        }
        Path st = tmp.resolve("whole.safetensors");
        Safetensors.write(st, WeightFiles.load(Reference.file("clip_tiny_state_dict.pt")).asMap(), Map.of());
        byte[] all = Files.readAllBytes(st);
        for (int keep : new int[]{4, 100, all.length / 2, all.length - 1}) {
            Path cut = tmp.resolve("cut_" + keep + ".safetensors");
            Files.write(cut, Arrays.copyOf(all, keep));
            assertThatThrownBy(() -> WeightFiles.load(cut))
                    .as("safetensors cut to " + keep + " bytes")
                    .isInstanceOf(WeightsException.class)
                    .hasMessageStartingWith(cut.toString());
        }
    }

    @Test
    void safetensorsHeaderClaimingAbsurdSizesIsRefused() throws Exception {
        Path hugeHeader = tmp.resolve("header.safetensors");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1L << 40).put("{\"a\":{}}".getBytes(StandardCharsets.US_ASCII));
        Files.write(hugeHeader, b.array());
        assertThatThrownBy(() -> WeightFiles.load(hugeHeader))
                .isInstanceOf(WeightsException.class)
                .hasMessageStartingWith(hugeHeader.toString())
                .hasMessageContaining("header length 1099511627776");

        assertHeaderRefused("shape.safetensors", "[4611686018427387904]", "[0,16]", "tensor 'w'", "overflows");
        assertHeaderRefused("beyond.safetensors", "[1000000]", "[0,4000000]", "tensor 'w'", "outside");
        assertHeaderRefused("span.safetensors", "[3]", "[0,16]", "needs 12 bytes");
    }

    /**
     * A safetensors file of one F32 tensor 'w' of {@code shape} at {@code offsets}, with 16 bytes of data, is
     * refused with a message containing each of {@code messages}.
     */
    private void assertHeaderRefused(String name, String shape, String offsets, String... messages) throws Exception {
        Path file = tmp.resolve(name);
        writeSafetensorsHeader(file,
                "{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}", 16);
        var refused = assertThatThrownBy(() -> WeightFiles.load(file)).isInstanceOf(WeightsException.class);
        for (String m : messages) {
            refused.hasMessageContaining(m);
        }
    }

    private static void writeSafetensorsHeader(Path file, String json, int dataBytes) throws Exception {
        byte[] j = json.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + j.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(j.length).put(j);
        Files.write(file, b.array());
    }

    @Test
    void legacyStorageCountDisagreeingWithThePickleIsRefused() throws Exception {
        PickleBytes main = PickleBytes.legacyDict();
        main.str("w").tensor("FloatStorage", "140", 4, 0, new long[]{4}, new long[]{1});
        Path file = Files.write(tmp.resolve("liar.pt"), PickleBytes.legacyFile(main, new String[] {"140"},
                new long[] {1L << 50}, PickleBytes.floats(1, 2, 3, 4)));
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("storage '140' holds 1125899906842624 elements");
    }

    @Test
    void craftedLegacyFileReadsWhenConsistent() throws Exception {
        PickleBytes main = PickleBytes.legacyDict();
        main.str("w").tensor("FloatStorage", "140", 4, 1, new long[]{3}, new long[]{1});
        Path file = Files.write(tmp.resolve("ok.pt"), PickleBytes.legacyFile(main, new String[] {"140"},
                new long[] {4}, PickleBytes.floats(1, 2, 3, 4)));
        assertThat(WeightFiles.load(file).get("w", 3).toFloatArray()).containsExactly(2, 3, 4);
    }

    @Test
    void legacyStorageViewsReadTheirSliceOfTheRootStorage() throws Exception {
        PickleBytes main = PickleBytes.legacyDict().str("v");
        main.global("torch._utils", "_rebuild_tensor_v2").op(MARK);
        main.op(MARK).str("storage").global("torch", "FloatStorage").str("root").str("cpu").longValue(6)
                .op(MARK).str("view").longValue(2).longValue(3).op(TUPLE, TUPLE, BINPERSID);
        main.longValue(1).ints(2).ints(1).op(NEWFALSE).global("collections", "OrderedDict").op(EMPTY_TUPLE, REDUCE)
                .op(TUPLE, REDUCE);
        Path file = Files.write(tmp.resolve("view.pt"), PickleBytes.legacyFile(main, new String[] {"root"},
                new long[] {6}, PickleBytes.floats(10, 11, 12, 13, 14, 15)));
        // view = root[2:5] = 12, 13, 14; tensor = view[1:3]
        assertThat(WeightFiles.load(file).get("v", 2).toFloatArray()).containsExactly(13, 14);
    }

    @Test
    void foreignFilesAreNamedForWhatTheyAre() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.png", new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                0, 0, 0, 1});
        files.put("model.ckpt", ("<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please log in"
                + "</body></html>").getBytes(StandardCharsets.US_ASCII));
        files.put("empty.pt", new byte[0]);
        files.put("random.bin", "just some text that is not a model".getBytes(StandardCharsets.US_ASCII));
        Map<String, String> expected = Map.of("model.png", "PNG image", "model.ckpt", "HTML",
                "empty.pt", "empty", "random.bin", "not a model file");
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path f = tmp.resolve(e.getKey());
            Files.write(f, e.getValue());
            assertThatThrownBy(() -> WeightFiles.load(f))
                    .isInstanceOf(WeightsException.class)
                    .hasMessageStartingWith(f.toString())
                    .hasMessageContaining("not a model file")
                    .hasMessageContaining(expected.get(e.getKey()));
        }
        Path zip = PickleBytes.torchZip(tmp.resolve("other.zip"), "x", new byte[]{1}, Map.of());
        Path renamed = tmp.resolve("other_renamed.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(renamed))) {
            out.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.closeEntry();
        }
        assertThat(zip).exists();
        assertThatThrownBy(() -> WeightFiles.load(renamed))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("without a data.pkl");
        assertThatThrownBy(() -> WeightFiles.load(tmp.resolve("missing.ckpt")))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("no such file");
    }

    @Test
    void plainPickleWithoutTorchMagicIsRefused() throws Exception {
        Path file = tmp.resolve("plain.pkl");
        Files.write(file, PickleBytes.proto(2).op(EMPTY_DICT, STOP).bytes());
        assertThatThrownBy(() -> WeightFiles.load(file))
                .isInstanceOf(WeightsException.class)
                .hasMessageContaining("not a torch.save file");
    }
}
