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
 *   --checkpoint-dir URI     where checkpoints go (default: a new temporary directory); the program
 *                            resumes from the checkpoint there (StreamingContext.getOrCreate), so
 *                            after kill -9 and a restart with the same directory its totals go on
 * </pre>
 *
 * <p>What resumes: the counts as of the last batch whose state was checkpointed, and the batches
 * after it whose input can be replayed. The socket input is a receiver; with a checkpoint directory
 * its records go to the write-ahead log before they are counted, and a resumed run replays the logged
 * ones; lines still in the socket when the process died are lost, as a socket cannot resend them.
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
        Duration batch = Duration.ofSeconds(args.integer("batch-seconds", 1));
        try (LineInput input = LineInput.from(args, 20_000);
             StreamingContext ssc = StreamingContext.getOrCreate(checkpointDir,
                     () -> define(args, input, batch, checkpointDir, idleTimeoutSeconds))) {
            ssc.start();
            DemoUi.printUrl(ssc);
            System.out.printf("reading lines from %s:%d, checkpoints in %s%n", input.host(), input.port(),
                    checkpointDir);
            System.out.println(ssc.recoveryReport().map(r -> "resumed: " + r.describe()
                            + "\n(lines the socket receiver had logged but not yet counted are replayed from its "
                            + "write-ahead log; lines still in the socket when the earlier run died are lost: a "
                            + "socket cannot be asked to send them again)")
                    .orElse("fresh start: no checkpoint in " + checkpointDir));
            ssc.awaitTermination();
        }
    }

    /** The program's graph: defined the same way on every start, whether it resumes or not. */
    private static StreamingContext define(Args args, LineInput input, Duration batch, String checkpointDir,
                                           int idleTimeoutSeconds) {
        StreamingContext ssc = DemoUi.apply(args, StreamingContext.builder().appName("stateful-word-count")
                .batchInterval(batch).checkpointDir(checkpointDir)).build();
        StateSpec<String, Integer, Long, Pair<String, Long>> spec = StateSpec.function(StatefulWordCount::count);
        if (idleTimeoutSeconds > 0) {
            spec = spec.timeout(Duration.ofSeconds(idleTimeoutSeconds));
        }
        MapWithStateDStream<String, Integer, Long, Pair<String, Long>> counts =
                ssc.socketTextStream(input.host(), input.port()).uid("lines")
                        .flatMap(line -> List.of(line.split(" ")))
                        .filter(word -> !word.isEmpty())
                        .mapToPair(word -> Pair.of(word, 1))
                        .mapWithState(spec).uid("word-counts");
        // The state is checkpointed every batch: the socket input cannot be replayed, so a resumed run can
        // recompute nothing after the newest state checkpoint.
        counts.checkpoint(batch);
        counts.stateSnapshots().foreachBatch((state, time) -> {
            List<Pair<String, Long>> top = TopWords.of(state.mapPartitions(
                    it -> TopWords.of(it, 10).iterator()).collect().iterator(), 10);
            System.out.printf("batch %d ms: %d words in the state; top 10: %s%n", time.millis(), state.count(),
                    top);
        });
        return ssc;
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
