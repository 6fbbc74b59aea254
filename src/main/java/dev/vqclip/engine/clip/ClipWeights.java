package dev.vqclip.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.vqclip.engine.weights.RawTensor;
import dev.vqclip.engine.weights.StateDict;
import dev.vqclip.engine.weights.WeightsException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Turns OpenAI-named tensors (or seeded random values) into float32 NDArrays in the model's manager. */
final class ClipWeights {
    private static final int LIST_LIMIT = 8;

    private ClipWeights() {
    }

    /**
     * Checks names, shapes, types and values against the config, then copies every weight to {@code manager}.
     *
     * @throws WeightsException naming the file and every missing, unexpected or malformed tensor
     */
    static Map<String, NDArray> fromStateDict(StateDict sd, ClipConfig config, NDManager manager) {
        Map<String, long[]> expected = config.expectedTensors();
        List<String> missing = new ArrayList<>();
        List<String> badShape = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            if (!sd.contains(e.getKey())) {
                missing.add(e.getKey());
            } else {
                RawTensor t = sd.get(e.getKey());
                if (!Arrays.equals(t.shape(), e.getValue())) {
                    badShape.add(e.getKey() + " " + Arrays.toString(t.shape()) + " (expected "
                            + Arrays.toString(e.getValue()) + ")");
                } else if (!t.dtype().isFloating()) {
                    badShape.add(e.getKey() + " has type " + t.dtype() + " (expected a floating point type)");
                }
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String name : sd.names()) {
            if (!expected.containsKey(name) && !ClipConfig.NON_WEIGHT_BUFFERS.contains(name)) {
                unknown.add(name);
            }
        }
        StringBuilder problems = new StringBuilder();
        describe(problems, "missing tensors", missing);
        describe(problems, "tensors with the wrong shape or type", badShape);
        describe(problems, "unexpected tensors", unknown);
        if (problems.length() > 0) {
            throw new WeightsException(sd.source() + ": does not match a CLIP ViT with " + summary(config) + ":"
                    + problems);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            float[] v = sd.get(e.getKey()).toFloatArray();
            for (float f : v) {
                if (!Float.isFinite(f)) {
                    throw new WeightsException(sd.source() + ": tensor '" + e.getKey()
                            + "' contains NaN or infinite values");
                }
            }
            out.put(e.getKey(), manager.create(v, new Shape(e.getValue())));
        }
        return out;
    }

    /**
     * Seeded random weights with the scales of OpenAI's {@code initialize_parameters} (uniform values of the same
     * standard deviation, which is cheaper to draw); LayerNorms are identity, biases zero, logit scale ln(1/0.07).
     * Each tensor's values depend only on the seed and its name.
     */
    static Map<String, NDArray> random(ClipConfig c, NDManager manager, long seed) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : c.expectedTensors().entrySet()) {
            String name = e.getKey();
            int n = Math.toIntExact(RawTensor.numel(e.getValue()));
            float[] v = new float[n];
            if (name.equals("logit_scale")) {
                v[0] = (float) Math.log(1 / 0.07);
            } else if (name.contains(".ln_") || name.startsWith("ln_final")) {
                Arrays.fill(v, name.endsWith(".weight") ? 1f : 0f);
            } else if (!name.endsWith("bias")) {
                fill(v, std(c, name), new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L)));
            }
            out.put(name, manager.create(v, new Shape(e.getValue())));
        }
        return out;
    }

    private static double std(ClipConfig c, String name) {
        boolean vision = name.startsWith("visual.");
        double width = vision ? c.visionWidth() : c.textWidth();
        double layers = vision ? c.visionLayers() : c.textLayers();
        double attnStd = Math.pow(width, -0.5);
        double projStd = attnStd * Math.pow(2 * layers, -0.5);
        if (name.equals("token_embedding.weight")) {
            return 0.02;
        } else if (name.equals("positional_embedding")) {
            return 0.01;
        } else if (name.equals("visual.conv1.weight")) {
            return Math.pow(3.0 * c.visionPatchSize() * c.visionPatchSize(), -0.5);
        } else if (name.endsWith("attn.in_proj_weight")) {
            return attnStd;
        } else if (name.endsWith("mlp.c_fc.weight")) {
            return Math.pow(2 * width, -0.5);
        } else if (name.endsWith("out_proj.weight") || name.endsWith("mlp.c_proj.weight")) {
            return projStd;
        }
        return attnStd; // class/positional embedding of the image tower, proj, text_projection
    }

    private static void fill(float[] v, double std, SplittableRandom rnd) {
        double half = std * Math.sqrt(3); // uniform(-a, a) has std a/sqrt(3)
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * half);
        }
    }

    private static void describe(StringBuilder sb, String what, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(names.size()).append(' ').append(what).append(": ");
        sb.append(String.join(", ", names.subList(0, Math.min(LIST_LIMIT, names.size()))));
        if (names.size() > LIST_LIMIT) {
            sb.append(", ... (").append(names.size() - LIST_LIMIT).append(" more)");
        }
    }

    private static String summary(ClipConfig c) {
        return "vision " + c.visionLayers() + "×" + c.visionWidth() + " patch " + c.visionPatchSize() + ", text "
                + c.textLayers() + "×" + c.textWidth() + ", embed " + c.embedDim();
    }
}
