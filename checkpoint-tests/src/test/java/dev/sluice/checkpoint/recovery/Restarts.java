package dev.sluice.checkpoint.recovery;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Seeded inputs, kits on a checkpoint directory, and per-batch outputs to compare runs with. */
final class Restarts {
    static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final String[] WORDS = {"ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen", "ibis", "jay"};

    private Restarts() {
    }

    /** A pipeline defined on a kit; returns the output the test compares. */
    @FunctionalInterface
    interface Pipeline {
        BatchOutput<?> define(StreamingTestKit kit, DStream<String> input);
    }

    /** Returns {@code batches} batches of 0..maxWords seeded random words (some batches empty). */
    static List<List<String>> words(long seed, int batches, int maxWords) {
        Random random = new Random(seed);
        List<List<String>> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int n = random.nextInt(5) == 0 ? 0 : random.nextInt(maxWords + 1);
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(WORDS[random.nextInt(WORDS.length)]);
            }
            out.add(batch);
        }
        return out;
    }

    static StreamingTestKit kit(Path dir) {
        return StreamingTestKit.builder().batchInterval(INTERVAL).checkpointDir(dir.toUri().toString()).build();
    }

    /** Returns each batch's output as a sorted list of strings, by batch time in ms. */
    static <T> TreeMap<Long, List<String>> byTime(BatchOutput<T> out) {
        TreeMap<Long, List<String>> m = new TreeMap<>();
        List<List<T>> batches = out.batches();
        for (int i = 0; i < batches.size(); i++) {
            List<String> sorted = new ArrayList<>(batches.get(i).stream().map(String::valueOf).toList());
            sorted.sort(null);
            m.put(out.times().get(i).millis(), sorted);
        }
        return m;
    }

    /** Runs the pipeline {@code define} makes on a kit without interruption, {@code batches} batches. */
    static TreeMap<Long, List<String>> uninterrupted(Path dir,
            java.util.function.Function<StreamingTestKit, BatchOutput<?>> define, int batches) {
        try (StreamingTestKit kit = kit(dir)) {
            BatchOutput<?> out = define.apply(kit);
            kit.run(batches);
            return byTime(out);
        }
    }

    /** Plain-Java running word counts after each batch: what updateStateByKey's totals must be. */
    static TreeMap<Long, List<String>> runningCounts(List<List<String>> input, int batches) {
        TreeMap<Long, List<String>> out = new TreeMap<>();
        Map<String, Integer> totals = new TreeMap<>();
        for (int b = 0; b < batches; b++) {
            for (String w : b < input.size() ? input.get(b) : List.<String>of()) {
                totals.merge(w, 1, Integer::sum);
            }
            List<String> row = new ArrayList<>();
            totals.forEach((k, v) -> row.add(Pair.of(k, v).toString()));
            row.sort(null);
            out.put((b + 1) * INTERVAL.toMillis(), row);
        }
        return out;
    }
}
