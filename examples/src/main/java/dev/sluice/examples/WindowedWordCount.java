package dev.sluice.examples;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.Time;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The socket word count over a sliding window: every 5 seconds, the 10 most frequent words of
 * the last 30 seconds. The window is incremental: each slide adds the counts of the batches that
 * entered and subtracts those of the batches that left (the inverse function), and a filter drops
 * the words whose count is back to zero, so the carried state holds only the words in the
 * window. Because each window is computed from the previous one, the stream checkpoints.
 *
 * <pre>{@code
 * java -cp examples/target/sluice-examples.jar dev.sluice.examples.WindowedWordCount
 * java -cp examples/target/sluice-examples.jar dev.sluice.examples.WindowedWordCount \
 *         --host localhost --port 9999 --checkpoint-dir file:///path/to/checkpoints
 * }</pre>
 *
 * <p>Options: {@code --host H} and {@code --port N} read from that server; without them, an
 * embedded {@link LineServer} serves the benchmark workload's lines on a free port at
 * {@code --lines-per-second N} (default 20,000). {@code --checkpoint-dir URI} (any Hadoop
 * FileSystem URI; default: a new temporary directory). Stop with Ctrl-C.
 */
public final class WindowedWordCount {
    static final Duration BATCH_INTERVAL = Duration.ofSeconds(1);
    static final Duration WINDOW = Duration.ofSeconds(30);
    static final Duration SLIDE = Duration.ofSeconds(5);
    static final int TOP = 10;
    private static final Set<String> OPTIONS = Set.of("host", "port", "lines-per-second", "checkpoint-dir");
    private static final String DASHES = "-------------------------------------------";

    private WindowedWordCount() {
    }

    /** Runs the program until it is killed; see the class documentation for the options. */
    public static void main(String[] argv) throws IOException, InterruptedException {
        Args args = Args.parse("windowed-word-count", argv, DemoUi.withOptions(OPTIONS));
        LineInput input = LineInput.from(args, 20_000);
        String checkpointDir = LineInput.checkpointDir(args, "sluice-windowed-word-count");
        StreamingContext ssc = DemoUi.apply(args, StreamingContext.builder().appName("windowed-word-count")
                .batchInterval(BATCH_INTERVAL).checkpointDir(checkpointDir)).build();
        windowedCounts(ssc.socketTextStream(input.host(), input.port())).foreachBatch((counts, time) ->
                System.out.print(printout(time, counts.count(), TopWords.of(counts.mapPartitions(
                        it -> TopWords.of(it, TOP).iterator()).collect().iterator(), TOP))));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ssc.stop();
            input.close();
        }, "windowed-word-count-shutdown"));
        ssc.start();
        DemoUi.printUrl(ssc);
        System.out.printf("counting words from %s:%d over %s every %s; checkpoints in %s%n", input.host(),
                input.port(), WINDOW, SLIDE, checkpointDir);
        ssc.awaitTermination();
    }

    /** Returns each word of {@code lines} with its count over the last 30 seconds, every 5 seconds. */
    static PairDStream<String, Long> windowedCounts(DStream<String> lines) {
        DStream<String> words = lines.<String>mapMulti((line, out) -> {
            for (String word : line.split(" ")) {
                if (!word.isEmpty()) {
                    out.accept(word);
                }
            }
        });
        int partitions = lines.context().engine().parallelism();
        return words.mapToPair(w -> Pair.of(w, 1L))
                .reduceByKeyAndWindow(Long::sum, (a, b) -> a - b, WINDOW, SLIDE, partitions, kv -> kv.value() != 0L);
    }

    /** Returns what is printed for the window ending at {@code time}. */
    static String printout(Time time, long distinctWords, List<Pair<String, Long>> top) {
        StringBuilder out = new StringBuilder().append(DASHES).append('\n')
                .append("Window ending ").append(time.millis()).append(" ms: ").append(distinctWords)
                .append(" distinct words, top ").append(top.size()).append('\n').append(DASHES).append('\n');
        for (Pair<String, Long> kv : top) {
            out.append(String.format("%-12s %,d%n", kv.key(), kv.value()));
        }
        return out.append('\n').toString();
    }
}
