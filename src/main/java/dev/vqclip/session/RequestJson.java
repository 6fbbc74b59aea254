package dev.vqclip.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.augment.Augmentations;
import dev.vqclip.engine.guide.Prompt;
import dev.vqclip.engine.guide.PromptSpan;
import dev.vqclip.engine.run.GenerationRequest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * JSON form of a {@link GenerationRequest} and its prompts, shared by {@code run.json} and the session manifest.
 *
 * <p>Numbers are written as JSON numbers. A prompt's stop of {@code -∞} ("never stops") is written as the string
 * {@code "-inf"}; other non-finite doubles, which JSON cannot hold, are written as the strings {@code "NaN"},
 * {@code "inf"}, {@code "-inf"} and read back the same way. Unknown fields are ignored (newer writers may add some).
 */
public final class RequestJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private RequestJson() {
    }

    /** @return the request as a JSON object */
    public static ObjectNode write(GenerationRequest r) {
        ObjectNode o = F.objectNode();
        o.set("prompts", writePrompts(r.prompts()));
        ArrayNode ip = o.putArray("imagePrompts");
        for (GenerationRequest.ImagePrompt p : r.imagePrompts()) {
            ObjectNode n = ip.addObject();
            n.put("image", p.image().toString());
            putDouble(n, "weight", p.weight());
        }
        o.put("width", r.width());
        o.put("height", r.height());
        o.put("steps", r.steps());
        o.put("seed", r.seed());
        o.put("cutouts", r.cutouts());
        putDouble(o, "cutPow", r.cutPow());
        putDouble(o, "learningRate", r.learningRate());
        putDouble(o, "beta1", r.beta1());
        putDouble(o, "beta2", r.beta2());
        putDouble(o, "l2Weight", r.l2Weight());
        putDouble(o, "l2Decay", r.l2Decay());
        Augmentations a = r.augmentations();
        ObjectNode an = o.putObject("augmentations");
        an.put("flip", a.flip());
        an.put("affine", a.affine());
        an.put("perspective", a.perspective());
        an.put("colorJitter", a.colorJitter());
        an.put("noise", a.noise());
        putDouble(an, "noiseFactor", a.noiseFactor());
        o.put("init", r.init().name());
        if (r.initImage() != null) {
            o.put("initImage", r.initImage().toString());
        } else {
            o.putNull("initImage");
        }
        o.put("keepUnmaskedPixels", r.keepUnmaskedPixels());
        return o;
    }

    /** @return prompts as an array of {@code {text, weight, stop}} objects */
    public static ArrayNode writePrompts(List<Prompt> prompts) {
        ArrayNode arr = F.arrayNode();
        for (Prompt p : prompts) {
            ObjectNode n = arr.addObject();
            n.put("text", p.text());
            putDouble(n, "weight", p.weight());
            putDouble(n, "stop", p.stop());
            putSpan(n, p.span());
        }
        return arr;
    }

    /** Writes a scheduled prompt's span as from/until/ramp (nothing for {@link PromptSpan#ALWAYS}). */
    static void putSpan(ObjectNode n, PromptSpan span) {
        if (!span.isAlways()) {
            // a scheduled prompt (older readers ignore these and apply it at every step)
            n.put("from", span.from());
            if (span.until() == PromptSpan.OPEN) {
                n.putNull("until");
            } else {
                n.put("until", span.until());
            }
            n.put("ramp", span.ramp());
        }
    }

    /**
     * Reads a request written by {@link #write}.
     *
     * @param where names the file and entry in error messages
     * @throws IllegalArgumentException naming {@code where} and the field when something is missing or invalid
     */
    public static GenerationRequest read(JsonNode o, String where) {
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException(where + ": 'request' is missing or not an object");
        }
        List<Prompt> prompts = readPrompts(field(o, "prompts", where), where);
        List<GenerationRequest.ImagePrompt> ips = new ArrayList<>();
        JsonNode ipn = o.get("imagePrompts");
        if (ipn != null && !ipn.isNull()) {
            if (!ipn.isArray()) {
                throw new IllegalArgumentException(where + ": 'imagePrompts' must be an array");
            }
            for (JsonNode n : ipn) {
                ips.add(new GenerationRequest.ImagePrompt(Path.of(text(n, "image", where)),
                        readDouble(n, "weight", where)));
            }
        }
        JsonNode an = field(o, "augmentations", where);
        Augmentations aug = new Augmentations(bool(an, "flip", where), bool(an, "affine", where),
                bool(an, "perspective", where), bool(an, "colorJitter", where), bool(an, "noise", where),
                readDouble(an, "noiseFactor", where));
        GenerationRequest.Init init;
        String initName = text(o, "init", where);
        try {
            init = GenerationRequest.Init.valueOf(initName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": unknown init '" + initName + "'", e);
        }
        JsonNode ii = o.get("initImage");
        Path initImage = ii == null || ii.isNull() ? null : Path.of(ii.asText());
        try {
            return new GenerationRequest(prompts, ips, integer(o, "width", where), integer(o, "height", where),
                    integer(o, "steps", where), longValue(o, "seed", where), integer(o, "cutouts", where),
                    readDouble(o, "cutPow", where), readDouble(o, "learningRate", where),
                    readDouble(o, "beta1", where), readDouble(o, "beta2", where), readDouble(o, "l2Weight", where),
                    readDouble(o, "l2Decay", where), aug, init, initImage,
                    o.path("keepUnmaskedPixels").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": invalid request: " + e.getMessage(), e);
        }
    }

    /** Reads an array written by {@link #writePrompts}. */
    public static List<Prompt> readPrompts(JsonNode arr, String where) {
        if (!arr.isArray()) {
            throw new IllegalArgumentException(where + ": 'prompts' must be an array");
        }
        List<Prompt> out = new ArrayList<>();
        for (JsonNode n : arr) {
            try {
                JsonNode stop = n.get("stop");
                double s = stop == null || stop.isNull() ? Double.NEGATIVE_INFINITY : readDouble(n, "stop", where);
                out.add(new Prompt(text(n, "text", where), readDouble(n, "weight", where), s, span(n, where)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith(where) ? e.getMessage()
                        : where + ": invalid prompt: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** @return the prompt's span: {@link PromptSpan#ALWAYS} when it has none (files before schedules) */
    static PromptSpan span(JsonNode n, String where) {
        if (!n.has("from")) {
            return PromptSpan.ALWAYS;
        }
        JsonNode until = n.get("until");
        JsonNode ramp = n.get("ramp");
        for (String f : new String[] {"from", "until", "ramp"}) {
            JsonNode v = n.get(f);
            if (v != null && !v.isNull() && !(v.canConvertToInt() && v.isIntegralNumber())) {
                throw new IllegalArgumentException(where + ": prompt span field '" + f + "' must be a whole number, got "
                        + v);
            }
        }
        return new PromptSpan(n.get("from").asInt(), until == null || until.isNull() ? PromptSpan.OPEN : until.asInt(),
                ramp == null || ramp.isNull() ? 0 : ramp.asInt());
    }

    static void putDouble(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else if (Double.isNaN(v)) {
            o.put(name, "NaN");
        } else {
            o.put(name, v > 0 ? "inf" : "-inf");
        }
    }

    static double readDouble(JsonNode o, String name, String where) {
        JsonNode n = field(o, name, where);
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            switch (n.asText().toLowerCase(Locale.ROOT)) {
                case "nan":
                    return Double.NaN;
                case "inf":
                case "+inf":
                case "infinity":
                    return Double.POSITIVE_INFINITY;
                case "-inf":
                case "-infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(where + ": '" + name + "' must be a number, got " + n);
    }

    static JsonNode field(JsonNode o, String name, String where) {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException(where + ": field '" + name + "' is missing");
        }
        return n;
    }

    static String text(JsonNode o, String name, String where) {
        JsonNode n = field(o, name, where);
        if (!n.isTextual()) {
            throw new IllegalArgumentException(where + ": '" + name + "' must be a string, got " + n);
        }
        return n.asText();
    }

    static int integer(JsonNode o, String name, String where) {
        JsonNode n = field(o, name, where);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": '" + name + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    static long longValue(JsonNode o, String name, String where) {
        JsonNode n = field(o, name, where);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new IllegalArgumentException(where + ": '" + name + "' must be an integer, got " + n);
        }
        return n.longValue();
    }

    static boolean bool(JsonNode o, String name, String where) {
        JsonNode n = field(o, name, where);
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(where + ": '" + name + "' must be true or false, got " + n);
        }
        return n.booleanValue();
    }
}
