package dev.sluice.examples;

import dev.sluice.core.Pair;
import dev.sluice.examples.bench.WorkloadData;
import dev.sluice.streaming.MapWithStateDStream;
import dev.sluice.streaming.State;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.StreamingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

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
    public static void main(String[] args) throws IOException, InterruptedException {
        Options options = Options.parse(args);
        LineServer server = options.host == null
                ? LineServer.start(0, WorkloadData::line, options.linesPerSecond) : null;
        String host = server != null ? "localhost" : options.host;
        int port = server != null ? server.port() : options.port;
        String checkpointDir = options.checkpointDir != null ? options.checkpointDir
                : Files.createTempDirectory("stateful-word-count").toUri().toString();
        System.out.printf("reading lines from %s:%d, checkpoints in %s%n", host, port, checkpointDir);
        try (StreamingContext ssc = StreamingContext.builder().appName("stateful-word-count")
                .batchInterval(Duration.ofSeconds(options.batchSeconds)).checkpointDir(checkpointDir).build()) {
            StateSpec<String, Integer, Long, Pair<String, Long>> spec = StateSpec.function(StatefulWordCount::count);
            if (options.idleTimeoutSeconds > 0) {
                spec = spec.timeout(Duration.ofSeconds(options.idleTimeoutSeconds));
            }
            MapWithStateDStream<String, Integer, Long, Pair<String, Long>> counts = ssc.socketTextStream(host, port)
                    .flatMap(line -> List.of(line.split(" ")))
                    .filter(word -> !word.isEmpty())
                    .mapToPair(word -> Pair.of(word, 1))
                    .mapWithState(spec);
            counts.stateSnapshots().foreachBatch((state, time) -> {
                List<Pair<String, Long>> top = state.mapPartitions(StatefulWordCount::topTen).collect().stream()
                        .sorted(BY_COUNT_DESCENDING).limit(10).toList();
                System.out.printf("batch %d ms: %d words in the state; top 10: %s%n", time.millis(), state.count(),
                        top);
            });
            ssc.start();
            ssc.awaitTermination();
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private static final Comparator<Pair<String, Long>> BY_COUNT_DESCENDING =
            Comparator.comparing((Pair<String, Long> p) -> p.value()).reversed().thenComparing(Pair::key);

    /** Adds one occurrence; a timed-out word is forgotten (the engine removes it after this call). */
    private static Pair<String, Long> count(String word, Optional<Integer> one, State<Long> state) {
        if (state.isTimingOut()) {
            return Pair.of(word, state.get());
        }
        long total = state.getOption().orElse(0L) + one.orElse(0);
        state.update(total);
        return Pair.of(word, total);
    }

    /** The ten largest counts of one partition, so only 10 pairs per partition reach the driver. */
    private static java.util.Iterator<Pair<String, Long>> topTen(java.util.Iterator<Pair<String, Long>> it) {
        java.util.PriorityQueue<Pair<String, Long>> top = new java.util.PriorityQueue<>(BY_COUNT_DESCENDING.reversed());
        while (it.hasNext()) {
            top.add(it.next());
            if (top.size() > 10) {
                top.poll();
            }
        }
        return top.iterator();
    }

    /** The command-line options. */
    private static final class Options {
        String host;
        int port = LineServer.DEFAULT_PORT;
        int linesPerSecond = 20_000;
        long batchSeconds = 1;
        long idleTimeoutSeconds;
        String checkpointDir;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw usage("option " + args[i] + " needs a value");
                }
                switch (args[i++]) {
                    case "--host" -> o.host = value;
                    case "--port" -> o.port = Integer.parseInt(value);
                    case "--lines-per-second" -> o.linesPerSecond = Integer.parseInt(value);
                    case "--batch-seconds" -> o.batchSeconds = Long.parseLong(value);
                    case "--idle-timeout" -> o.idleTimeoutSeconds = Long.parseLong(value);
                    case "--checkpoint-dir" -> o.checkpointDir = value;
                    default -> throw usage("unknown option " + args[i - 1]);
                }
            }
            if (o.host == null && args.length > 0 && List.of(args).contains("--port")) {
                o.host = "localhost";
            }
            return o;
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(problem + "; options: --host H --port P --lines-per-second N "
                    + "--batch-seconds N --idle-timeout SECONDS --checkpoint-dir URI");
        }
    }
}
