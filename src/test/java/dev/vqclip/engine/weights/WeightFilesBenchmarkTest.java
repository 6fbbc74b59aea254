package dev.vqclip.engine.weights;

import dev.vqclip.testing.Zips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static net.razorvine.pickle.Opcodes.EMPTY_DICT;
import static net.razorvine.pickle.Opcodes.LIST;
import static net.razorvine.pickle.Opcodes.MARK;
import static net.razorvine.pickle.Opcodes.SETITEMS;
import static net.razorvine.pickle.Opcodes.STOP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load time and peak heap for a checkpoint of realistic size (run with {@code -Dvqclip.bench=true}; it writes
 * about 0.6 GB per format to a temp folder).
 */
@EnabledIfSystemProperty(named = "vqclip.bench", matches = "true")
class WeightFilesBenchmarkTest {
    private static final int TENSORS = 150;
    private static final int ELEMENTS = 1 << 20;

    @Test
    void largeCheckpointsLoadWithOneCopyInMemory(@TempDir Path tempDir) throws Exception {
        // -Dvqclip.bench.dir=DIR keeps the files for experiments with a small -Xmx
        Path tmp = System.getProperty("vqclip.bench.dir") != null
                ? Files.createDirectories(Path.of(System.getProperty("vqclip.bench.dir"))) : tempDir;
        long dataBytes = (long) TENSORS * ELEMENTS * 4;
        PickleBytes p = PickleBytes.proto(2).op(EMPTY_DICT, MARK);
        for (int i = 0; i < TENSORS; i++) {
            p.str("layer" + i + ".weight").tensor("FloatStorage", Integer.toString(i), ELEMENTS, 0,
                    new long[]{1024, 1024}, new long[]{1024, 1});
        }
        byte[] pickle = p.op(SETITEMS, STOP).bytes();
        byte[] block = new byte[ELEMENTS * 4];
        ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(0, 0.5f);

        Path zip = tmp.resolve("big.ckpt");
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(zip), 1 << 20);
             ZipOutputStream z = new ZipOutputStream(os)) {
            CRC32 crc = new CRC32();
            crc.update(block);
            Zips.stored(z, "big/data.pkl", pickle);
            for (int i = 0; i < TENSORS; i++) {
                ZipEntry e = new ZipEntry("big/data/" + i);
                e.setMethod(ZipEntry.STORED);
                e.setSize(block.length);
                e.setCrc(crc.getValue());
                z.putNextEntry(e);
                z.write(block);
                z.closeEntry();
            }
        }
        Path legacy = tmp.resolve("big_legacy.ckpt");
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(legacy), 1 << 20)) {
            os.write(PickleBytes.legacyPreamble());
            os.write(pickle);
            PickleBytes keys = PickleBytes.proto(2).op(MARK);
            for (int i = 0; i < TENSORS; i++) {
                keys.str(Integer.toString(i));
            }
            os.write(keys.op(LIST, STOP).bytes());
            byte[] count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(ELEMENTS).array();
            for (int i = 0; i < TENSORS; i++) {
                os.write(count);
                os.write(block);
            }
        }
        measure("torch zip", zip, dataBytes);
        measure("torch legacy", legacy, dataBytes);
        Path st = tmp.resolve("big.safetensors");
        Safetensors.write(st, WeightFiles.load(zip).asMap(), Map.of());
        measure("safetensors", st, dataBytes);
    }

    private static void measure(String what, Path file, long dataBytes) {
        long bestMs = Long.MAX_VALUE;
        long direct = 0;
        long heap = 0;
        for (int run = 0; run < 3; run++) {
            settle();
            long heapBefore = heapUsed();
            long directBefore = directUsed();
            long t0 = System.nanoTime();
            StateDict sd = WeightFiles.load(file);
            bestMs = Math.min(bestMs, (System.nanoTime() - t0) / 1_000_000);
            direct = directUsed() - directBefore;
            assertThat(sd.size()).isEqualTo(TENSORS);
            assertThat(sd.get("layer7.weight").toFloatArray()[0]).isEqualTo(0.5f);
            System.gc();
            heap = heapUsed() - heapBefore;
            assertThat(sd.size()).isEqualTo(TENSORS);
            sd = null;
            // exactly one copy of the tensor bytes is held, off-heap; the heap keeps only small objects
            assertThat(direct).isBetween(dataBytes, dataBytes + (8L << 20));
            assertThat(heap).isLessThan(32L << 20);
        }
        System.out.printf("bench %-13s %,d MB file: best load %d ms (%.0f MB/s); holds %d MiB off-heap for %d MiB "
                        + "of tensors, heap growth %d KiB%n", what, dataBytes / 1_000_000, bestMs,
                dataBytes / 1e3 / Math.max(1, bestMs), direct >> 20, dataBytes >> 20, heap >> 10);
    }

    /** Collects garbage and waits for the cleaner to release the direct buffers of earlier loads. */
    private static void settle() {
        long last = -1;
        for (int i = 0; i < 40 && directUsed() != last; i++) {
            last = directUsed();
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long directUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
