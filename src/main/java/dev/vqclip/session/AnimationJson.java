package dev.vqclip.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vqclip.engine.image.Frame;
import dev.vqclip.engine.image.Png;
import dev.vqclip.engine.run.Animation;
import dev.vqclip.engine.run.Keyframes;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipOutputStream;

/**
 * The {@code animation} object of a session manifest (version 4): the plan (frames, steps, keyframes as their
 * specs), the request of frame 0, whether the current run is the frame in progress, and the finished frames as PNG
 * entries {@code animation/00000.png, ...}. The plan's fields are those of {@code vqclip animate}'s
 * {@code animation.json} too ({@link #putPlan}, {@link #readPlan}).
 */
public final class AnimationJson {
    private AnimationJson() {
    }

    /** Reads one frame entry (checked against the animation's size). */
    interface FrameReader {
        Frame read(String entry, int width, int height) throws IOException;
    }

    /** Writes the plan's frames, steps and keyframe specs into {@code n}. */
    public static void putPlan(ObjectNode n, Animation p) {
        n.put("frames", p.frames());
        n.put("stepsPerFrame", p.stepsPerFrame());
        n.put("firstSteps", p.firstSteps());
        n.put("zoom", p.zoom().toSpec());
        n.put("rotate", p.rotate().toSpec());
        n.put("panX", p.panX().toSpec());
        n.put("panY", p.panY().toSpec());
    }

    /**
     * @return the plan {@link #putPlan} wrote into {@code n}
     * @throws IllegalArgumentException naming the field that is wrong ({@code where} first)
     */
    public static Animation readPlan(JsonNode n, String where) {
        return new Animation(n.path("frames").asInt(), n.path("stepsPerFrame").asInt(),
                n.path("firstSteps").asInt(), Keyframes.parse(n.path("zoom").asText(), where + " zoom"),
                Keyframes.parse(n.path("rotate").asText(), where + " rotate"),
                Keyframes.parse(n.path("panX").asText(), where + " panX"),
                Keyframes.parse(n.path("panY").asText(), where + " panY"));
    }

    static void write(ZipOutputStream zip, ObjectNode manifest, SessionAnimation a) throws IOException {
        if (a == null) {
            return;
        }
        ObjectNode n = manifest.putObject("animation");
        putPlan(n, a.plan());
        n.set("base", RequestJson.write(a.base()));
        n.put("active", a.active());
        var list = n.putArray("made");
        for (int i = 0; i < a.frames().size(); i++) {
            String entry = String.format(Locale.ROOT, "animation/%05d.png", i);
            RunFile.put(zip, entry, Png.encode(a.frames().get(i), Map.of()));
            list.add(entry);
        }
    }

    /**
     * @return the animation, or null when the manifest has none
     * @throws IOException or IllegalArgumentException naming what is wrong
     */
    static SessionAnimation read(JsonNode manifest, String where, FrameReader frames) throws IOException {
        JsonNode n = manifest.get("animation");
        if (n == null || n.isNull()) {
            return null;
        }
        String w = where + " animation";
        Animation plan = readPlan(n, w);
        var base = RequestJson.read(n.path("base"), w + " base");
        if (n.path("made").size() > plan.frames()) {
            throw new IllegalArgumentException(w + ": " + n.path("made").size() + " frames made but the plan has "
                    + plan.frames());
        }
        List<Frame> made = new ArrayList<>();
        for (JsonNode e : n.path("made")) {
            made.add(frames.read(e.asText(), base.width(), base.height()));
        }
        return new SessionAnimation(plan, base, made, n.path("active").asBoolean(false));
    }
}
