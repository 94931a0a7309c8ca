package dev.sluice.examples;

import dev.sluice.core.Pair;
import dev.sluice.streaming.MapWithStateDStream;
import dev.sluice.streaming.State;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.StreamingContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Running word counts since the start, kept with {@code mapWithState}: each batch prints the
 * ten most frequent words so far and the number of words in the state.
 *
 * <pre>
 * java -cp sluice-examples.jar dev.sluice.examples.StatefulWordCount [options]
 *   --host H --port P        read lines from a socket (default: start an embedded LineServer
 *                            serving the benchmark workload and read from it)
 *   --lines-per-second N     rate of the embedded server (default 20000)
 *   --batch-seconds N        batch interval (default 1)
 *   --idle-timeout S         forget a word after S seconds without it (default: never)
 *   --checkpoint-dir URI     where state checkpoints go (default: a new temporary directory)
 * </pre>
 */
public final class StatefulWordCount {
    private StatefulWordCount() {
    }

    /** Runs the program until it is killed. */
    public static void main(String[] argv) throws IOException, InterruptedException {
        Args args = Args.parse("stateful-word-count", argv, DemoUi.withOptions(Set.of("host", "port",
                "lines-per-second", "batch-seconds", "idle-timeout", "checkpoint-dir")));
        String checkpointDir = LineInput.checkpointDir(args, "stateful-word-count");
        int idleTimeoutSeconds = args.integer("idle-timeout", 0);
        try (LineInput input = LineInput.from(args, 20_000);
             StreamingContext ssc = DemoUi.apply(args, StreamingContext.builder().appName("stateful-word-count")
                     .batchInterval(Duration.ofSeconds(args.integer("batch-seconds", 1)))
                     .checkpointDir(checkpointDir)).build()) {
            StateSpec<String, Integer, Long, Pair<String, Long>> spec = StateSpec.function(StatefulWordCount::count);
            if (idleTimeoutSeconds > 0) {
                spec = spec.timeout(Duration.ofSeconds(idleTimeoutSeconds));
            }
            MapWithStateDStream<String, Integer, Long, Pair<String, Long>> counts =
                    ssc.socketTextStream(input.host(), input.port())
                            .flatMap(line -> List.of(line.split(" ")))
                            .filter(word -> !word.isEmpty())
                            .mapToPair(word -> Pair.of(word, 1))
                            .mapWithState(spec);
            counts.stateSnapshots().foreachBatch((state, time) -> {
                List<Pair<String, Long>> top = TopWords.of(state.mapPartitions(
                        it -> TopWords.of(it, 10).iterator()).collect().iterator(), 10);
                System.out.printf("batch %d ms: %d words in the state; top 10: %s%n", time.millis(), state.count(),
                        top);
            });
            ssc.start();
            DemoUi.printUrl(ssc);
            System.out.printf("reading lines from %s:%d, checkpoints in %s%n", input.host(), input.port(),
                    checkpointDir);
            ssc.awaitTermination();
        }
    }

    /** Adds one occurrence; a timed-out word is forgotten (the engine removes it after this call). */
    private static Pair<String, Long> count(String word, Optional<Integer> one, State<Long> state) {
        if (state.isTimingOut()) {
            return Pair.of(word, state.get());
        }
        long total = state.toOptional().orElse(0L) + one.orElse(0);
        state.update(total);
        return Pair.of(word, total);
    }
}
