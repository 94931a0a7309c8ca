package dev.sluice.examples;

import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.StreamingContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Counts the words of each 1-second batch of lines read from a TCP socket and prints, per batch,
 * the number of words, the number of distinct words and the ten most frequent.
 *
 * <p>With no {@code --host/--port} it starts an embedded line server on a free loopback port
 * (sending generated sentences at {@code --lines-per-second}, default 2,000), so it runs with
 * nothing else installed. To read from your own source instead, start {@code nc -lk 9999}, run
 * with {@code --host localhost --port 9999} and type lines into nc. Ctrl-C stops it gracefully:
 * the lines already received are counted before it exits.
 *
 * <pre>
 * java -jar examples/target/sluice-examples.jar socket-word-count [--host H --port P]
 *      [--lines-per-second N] [--parallelism N] [--seconds N] [--ui on|off] [--ui-port N]
 * </pre>
 */
public final class SocketWordCount {
    private SocketWordCount() {
    }

    /** Runs the program; see the class doc for options. */
    public static void main(String[] argv) throws Exception {
        Args args = Args.parse("socket-word-count", argv,
                DemoUi.withOptions(Set.of("host", "port", "lines-per-second", "parallelism", "seconds")));
        LineInput input = LineInput.from(args, 2_000);
        StreamingContext ssc = DemoUi.apply(args, StreamingContext.builder()
                .appName("socket-word-count")
                .batchInterval(Duration.ofSeconds(1))
                .parallelism(args.integer("parallelism", 2)))
                .build();
        DStream<String> lines = ssc.socketTextStream(input.host(), input.port());
        PairDStream<String, Integer> counts = lines
                .flatMap(line -> List.of(line.split(" ")))
                .filter(word -> !word.isEmpty())
                .mapToPair(word -> Pair.of(word, 1))
                .reduceByKey(Integer::sum);
        counts.foreachBatch((batch, time) -> {
            PairDataset<String, Integer> pairs = PairDataset.of(batch).cache();
            long words = pairs.values().fold(0, Integer::sum);
            List<Pair<Integer, String>> top = pairs.mapToPair(p -> Pair.of(p.value(), p.key()))
                    .sortByKey(false, 1).take(10);
            System.out.printf("batch %d ms: %d words, %d distinct; top: %s%n", time.millis(), words, pairs.count(), top);
            pairs.unpersist();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ssc.stop(true);
            input.close();
        }, "socket-word-count-shutdown"));
        ssc.start();
        DemoUi.printUrl(ssc);
        if (input.isEmbedded()) {
            System.out.println("embedded line server on " + input.host() + ":" + input.port());
        }
        int seconds = args.integer("seconds", 0);
        if (seconds > 0) {
            ssc.awaitTerminationOrTimeout(Duration.ofSeconds(seconds));
            ssc.stop(true);
            input.close();
        } else {
            ssc.awaitTermination();
        }
    }
}
