package dev.sluice.examples.bench;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.DStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * How a benchmark splits a line into words, chosen with {@code --split indexOf|regex}; every JSON
 * line names it ({@code "split"}), and the engine run and its baselines always use the same one.
 *
 * <ul>
 *   <li>{@link #INDEX_OF} ({@code indexOf}, the default): a hand-written
 *       {@link String#indexOf(int, int)} loop on single spaces; the engine emits the words with
 *       {@code mapMulti}, so no collection is made per line.</li>
 *   <li>{@link #REGEX} ({@code regex}): {@code String.split(" ")}, as {@code WORKLOADS.md} and the
 *       Spark peer split; the engine uses {@code flatMap(l -> Arrays.asList(l.split(" ")))}.</li>
 * </ul>
 * Both need words separated by exactly one space, as the workload has them.
 */
public enum Splitter {
    INDEX_OF("indexOf") {
        @Override
        void forEachWord(String line, Consumer<? super String> sink) {
            Baselines.forEachWord(line, sink);
        }

        @Override
        DStream<String> words(DStream<String> lines) {
            return lines.<String>mapMulti(Baselines::forEachWord);
        }

        @Override
        Dataset<String> words(Dataset<String> lines) {
            return lines.<String>mapMulti(Baselines::forEachWord);
        }
    },
    REGEX("regex") {
        @Override
        void forEachWord(String line, Consumer<? super String> sink) {
            for (String w : line.split(" ")) {
                sink.accept(w);
            }
        }

        @Override
        DStream<String> words(DStream<String> lines) {
            return lines.flatMap(l -> Arrays.asList(l.split(" ")));
        }

        @Override
        Dataset<String> words(Dataset<String> lines) {
            return lines.flatMap(l -> Arrays.asList(l.split(" ")));
        }
    };

    private final String label;

    Splitter(String label) {
        this.label = label;
    }

    /** The name used by {@code --split} and the {@code "split"} JSON field. */
    public String label() {
        return label;
    }

    /**
     * Returns the splitter named {@code name} ({@code indexOf} or {@code regex}, any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Splitter parse(String name) {
        for (Splitter s : values()) {
            if (s.label.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("--split must be indexOf or regex, got '" + name + "'");
    }

    /** Calls {@code sink} with each word of {@code line} (plain Java, for the baselines). */
    abstract void forEachWord(String line, Consumer<? super String> sink);

    /** The engine's words of a line stream. */
    abstract DStream<String> words(DStream<String> lines);

    /** The engine's words of a line dataset. */
    abstract Dataset<String> words(Dataset<String> lines);
}
