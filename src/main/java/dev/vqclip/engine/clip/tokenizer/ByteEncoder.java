package dev.vqclip.engine.clip.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2/CLIP's {@code bytes_to_unicode}: every byte value gets a printable character so BPE can work on strings.
 * Printable Latin-1 bytes ({@code !}..{@code ~}, {@code ¡}..{@code ¬}, {@code ®}..{@code ÿ}) stand for themselves;
 * the other 68 bytes get U+0100, U+0101, … in byte order. Immutable.
 */
final class ByteEncoder {
    /** Byte value to its character. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Character (U+0000..U+01FF) to its byte value, or -1. */
    private static final int[] CHAR_TO_BYTE = new int[0x200];
    /** The 256 characters in CLIP's vocabulary order (printable bytes first, then the remapped ones). */
    private static final char[] VOCAB_ORDER = new char[256];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int k = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintable(b)) {
                BYTE_TO_CHAR[b] = (char) b;
                VOCAB_ORDER[k++] = (char) b;
            }
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!isPrintable(b)) {
                BYTE_TO_CHAR[b] = (char) (256 + n++);
                VOCAB_ORDER[k++] = BYTE_TO_CHAR[b];
            }
        }
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteEncoder() {
    }

    private static boolean isPrintable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** @return the 256 byte characters in vocabulary order */
    static char[] vocabOrder() {
        return VOCAB_ORDER.clone();
    }

    /** The UTF-8 bytes of {@code s}, each written as its byte character. */
    static String encode(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** @return the byte a character stands for, or -1 if it is not a byte character */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }
}
