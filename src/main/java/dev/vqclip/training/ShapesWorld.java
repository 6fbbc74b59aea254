package dev.vqclip.training;

import dev.vqclip.engine.image.Frame;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The synthetic world the demo models are trained on: one coloured shape of some size and position on a plain
 * coloured background, with captions such as "a red circle on a blue background" or "a small green triangle at the
 * top left". Everything is a pure function of the random generator, so a seed reproduces the data set.
 */
public final class ShapesWorld {
    /** A named colour. */
    public enum Colour {
        RED(220, 30, 30), GREEN(30, 170, 40), BLUE(30, 60, 220), YELLOW(240, 220, 30), PURPLE(140, 40, 180),
        ORANGE(245, 140, 20), WHITE(245, 245, 245), BLACK(15, 15, 15);

        public final int r;
        public final int g;
        public final int b;

        Colour(int r, int g, int b) {
            this.r = r;
            this.g = g;
            this.b = b;
        }

        public int rgb() {
            return r << 16 | g << 8 | b;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return the named colour closest to an RGB value (Euclidean in RGB) */
        public static Colour nearest(double r, double g, double b) {
            Colour best = RED;
            double bestD = Double.MAX_VALUE;
            for (Colour c : values()) {
                double d = (c.r - r) * (c.r - r) + (c.g - g) * (c.g - g) + (c.b - b) * (c.b - b);
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            return best;
        }
    }

    /** A shape kind. */
    public enum Shape {
        CIRCLE, SQUARE, TRIANGLE, STAR, RING;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Shape size: fraction of the image side covered by the shape's bounding box. */
    public enum Size {
        SMALL("small", 0.3), MEDIUM(null, 0.5), LARGE("large", 0.75);

        public final String word;
        public final double fraction;

        Size(String word, double fraction) {
            this.word = word;
            this.fraction = fraction;
        }
    }

    /** Where the shape's centre is, as fractions of the image side. */
    public enum Position {
        CENTRE("in the centre", 0.5, 0.5), TOP_LEFT("at the top left", 0.3, 0.3), TOP_RIGHT("at the top right", 0.7, 0.3),
        BOTTOM_LEFT("at the bottom left", 0.3, 0.7), BOTTOM_RIGHT("at the bottom right", 0.7, 0.7);

        public final String words;
        public final double x;
        public final double y;

        Position(String words, double x, double y) {
            this.words = words;
            this.x = x;
            this.y = y;
        }
    }

    /**
     * One scene.
     *
     * @param shape the shape
     * @param colour the shape's colour
     * @param background the background colour (never the shape's)
     * @param size how large
     * @param position where
     */
    public record Scene(Shape shape, Colour colour, Colour background, Size size, Position position) {
        /** @return the full caption, e.g. "a small red circle at the top left on a blue background" */
        public String caption() {
            StringBuilder sb = new StringBuilder("a ");
            if (size.word != null) {
                sb.append(size.word).append(' ');
            }
            sb.append(colour.word()).append(' ').append(shape.word());
            if (position != Position.CENTRE) {
                sb.append(' ').append(position.words);
            }
            sb.append(" on a ").append(background.word()).append(" background");
            return sb.toString();
        }

        /** @return the caption and shorter ones that are still true (for contrastive training) */
        public List<String> captions() {
            List<String> out = new ArrayList<>();
            out.add(caption());
            out.add("a " + colour.word() + " " + shape.word() + " on a " + background.word() + " background");
            out.add("a " + colour.word() + " " + shape.word());
            return out;
        }

        /** @return the scene rendered at {@code side × side} pixels */
        public Frame render(int side) {
            return render(side, side);
        }

        /** @return the scene rendered at {@code w × h} pixels (the shape scales with the shorter side) */
        public Frame render(int w, int h) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(background.rgb()));
            g.fillRect(0, 0, w, h);
            g.setColor(new Color(colour.rgb()));
            double side = Math.min(w, h) * size.fraction;
            double cx = w * position.x;
            double cy = h * position.y;
            double x0 = cx - side / 2;
            double y0 = cy - side / 2;
            switch (shape) {
                case CIRCLE -> g.fill(new Ellipse2D.Double(x0, y0, side, side));
                case SQUARE -> g.fill(new Rectangle2D.Double(x0 + side * 0.1, y0 + side * 0.1, side * 0.8, side * 0.8));
                case TRIANGLE -> g.fill(polygon(new double[] {cx, x0, x0 + side}, new double[] {y0, y0 + side, y0 + side}));
                case STAR -> g.fill(star(cx, cy, side / 2, side / 5));
                case RING -> {
                    g.setStroke(new BasicStroke((float) (side * 0.16)));
                    double in = side * 0.08;
                    g.draw(new Ellipse2D.Double(x0 + in, y0 + in, side - 2 * in, side - 2 * in));
                }
                default -> throw new IllegalStateException();
            }
            g.dispose();
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            return new Frame(w, h, argb);
        }

        /** @return for each pixel, whether it is inside the shape's bounding box (for measuring colours) */
        public boolean[] shapeBox(int w, int h, double shrink) {
            double side = Math.min(w, h) * size.fraction * shrink;
            double cx = w * position.x;
            double cy = h * position.y;
            boolean[] in = new boolean[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    in[y * w + x] = Math.abs(x + 0.5 - cx) <= side / 2 && Math.abs(y + 0.5 - cy) <= side / 2;
                }
            }
            return in;
        }
    }

    private ShapesWorld() {
    }

    /** @return a random scene */
    public static Scene sample(RandomGenerator rng) {
        Colour[] colours = Colour.values();
        Colour c = colours[rng.nextInt(colours.length)];
        Colour bg;
        do {
            bg = colours[rng.nextInt(colours.length)];
        } while (bg == c);
        Shape s = Shape.values()[rng.nextInt(Shape.values().length)];
        Size size = Size.values()[rng.nextInt(Size.values().length)];
        Position p = size == Size.LARGE ? Position.CENTRE : Position.values()[rng.nextInt(Position.values().length)];
        return new Scene(s, c, bg, size, p);
    }

    private static java.awt.geom.Path2D polygon(double[] xs, double[] ys) {
        java.awt.geom.Path2D.Double p = new java.awt.geom.Path2D.Double();
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < xs.length; i++) {
            p.lineTo(xs[i], ys[i]);
        }
        p.closePath();
        return p;
    }

    private static java.awt.geom.Path2D star(double cx, double cy, double outer, double inner) {
        java.awt.geom.Path2D.Double p = new java.awt.geom.Path2D.Double();
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? outer : inner;
            double a = -Math.PI / 2 + i * Math.PI / 5;
            double x = cx + r * Math.cos(a);
            double y = cy + r * Math.sin(a);
            if (i == 0) {
                p.moveTo(x, y);
            } else {
                p.lineTo(x, y);
            }
        }
        p.closePath();
        return p;
    }
}
