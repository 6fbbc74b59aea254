package dev.vqclip.cli;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The child process {@link ReconstructKillTest} kills.
 * <ul>
 * <li>{@code command ARGS...}: {@code vqclip reconstruct ARGS...}, the real command, which writes OUT (the last
 * argument); then prints {@code done} and exits, unless {@code -Dloops=N} asks for N more writes as in {@code loop}.
 * <li>{@code loop IMAGE OUT}: prints {@code ready}, then writes IMAGE's pixels to OUT again and again through the
 * command's own writer ({@link ReconstructCommand#write}), so that a kill at a random moment most likely lands inside
 * a write. Prints {@code wrote N} after each.
 * </ul>
 */
public final class ReconstructKillChild {
    private ReconstructKillChild() {
    }

    public static void main(String[] args) throws Exception {
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Path out = Path.of(args[args.length - 1]);
        BufferedImage img;
        if (args[0].equals("command")) {
            int code = Main.run(rest);
            System.out.println(code == 0 ? "done" : "failed " + code);
            if (code != 0) {
                System.exit(code);
            }
            img = ImageIO.read(out.toFile());
        } else {
            img = ImageIO.read(Path.of(rest[0]).toFile());
            System.out.println("ready");
        }
        int loops = Integer.getInteger("loops", args[0].equals("command") ? 0 : Integer.MAX_VALUE);
        for (int i = 1; i <= loops; i++) {
            ReconstructCommand.write(img, out);
            System.out.println("wrote " + i);
        }
    }
}
