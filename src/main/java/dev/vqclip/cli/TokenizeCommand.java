package dev.vqclip.cli;

import dev.vqclip.engine.clip.tokenizer.ClipTokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vqclip tokenize --vocab FILE TEXT...}: CLIP token ids, one line of 77 per text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Prints CLIP's token ids for each TEXT: one line of 77 space-separated integers, exactly as "
            + "Python's clip.tokenize(text, truncate=True) (start token, ids, end token, zero padding).")
public final class TokenizeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "CLIP's BPE merges file, e.g. bpe_simple_vocab_16e6.txt.gz (required for now).")
    Path vocab;

    @Parameters(paramLabel = "TEXT", arity = "1..*", description = "Prompt text; quote it to keep spaces.")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        if (vocab == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Missing --vocab FILE: the BPE merges file of CLIP (bpe_simple_vocab_16e6.txt.gz)");
        }
        ClipTokenizer tokenizer = ClipTokenizer.load(vocab);
        PrintWriter out = spec.commandLine().getOut();
        for (String text : texts) {
            long[] ids = tokenizer.tokenize(text);
            StringBuilder line = new StringBuilder(ids.length * 6);
            for (int i = 0; i < ids.length; i++) {
                if (i > 0) {
                    line.append(' ');
                }
                line.append(ids[i]);
            }
            out.println(line);
        }
        out.flush();
        return 0;
    }
}
