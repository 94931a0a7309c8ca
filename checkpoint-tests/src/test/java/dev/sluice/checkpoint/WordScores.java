package dev.sluice.checkpoint;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A multi-stage job for recovery tests, and its plain-Java reference: random lines are split
 * into words, counted per word (a shuffle), joined with random per-word weights (a second
 * shuffle) and scored (count times weight). The same seed gives the same data and partitions.
 */
final class WordScores {
    /** Calls of the split function and first-attempt failures, by {@link #key}; static so functions capture no test. */
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    final String key;
    final List<String> lines = new ArrayList<>();
    final List<Pair<String, Integer>> weights = new ArrayList<>();
    final Dataset<String> input;
    final PairDataset<String, Integer> counts;
    final PairDataset<String, Integer> scores;

    /**
     * Builds the job on {@code engine}. If {@code failingLine} is true, the split function throws
     * the first time it meets one chosen line, so exactly one task fails its first attempt.
     */
    WordScores(Engine engine, long seed, String scenario, boolean failingLine) {
        this.key = scenario + "/" + seed;
        Random random = new Random(seed);
        int vocabulary = 1 + random.nextInt(40);
        int numLines = random.nextInt(300);
        for (int i = 0; i < numLines; i++) {
            StringBuilder line = new StringBuilder();
            for (int w = random.nextInt(8); w > 0; w--) {
                line.append(" w").append(random.nextInt(vocabulary));
            }
            lines.add(line.toString());
        }
        for (int w = 0; w < vocabulary; w++) {
            if (random.nextBoolean()) {
                weights.add(Pair.of("w" + w, random.nextInt(100)));
            }
        }
        String failOn = failingLine && !lines.isEmpty() ? lines.get(random.nextInt(lines.size())) : null;
        String callKey = key;
        input = engine.parallelize(lines, 1 + random.nextInt(8));
        counts = input.flatMap(line -> split(callKey, failOn, line)).mapToPair(w -> Pair.of(w, 1))
                .reduceByKey(Integer::sum, 1 + random.nextInt(8));
        scores = counts.join(engine.parallelizePairs(weights, 1 + random.nextInt(8)))
                .mapValues(countAndWeight -> countAndWeight.key() * countAndWeight.value());
        CALLS.keySet().removeIf(k -> k.startsWith(key));
    }

    private static List<String> split(String key, String failOn, String line) {
        CALLS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (line.equals(failOn) && CALLS.computeIfAbsent(key + "/failed", k -> new AtomicInteger())
                .getAndIncrement() == 0) {
            throw new IllegalStateException("first attempt at line '" + line + "' fails");
        }
        return List.of(line.strip().split(" +")).stream().filter(w -> !w.isEmpty()).toList();
    }

    /** Returns how often the split function ran. */
    int splitCalls() {
        return CALLS.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    /** Returns how many attempts failed on purpose. */
    int failedAttempts() {
        return CALLS.computeIfAbsent(key + "/failed", k -> new AtomicInteger()).get() > 0 ? 1 : 0;
    }

    /** Returns the scores computed in plain Java. */
    Map<String, Integer> expected() {
        Map<String, Integer> wordCounts = new HashMap<>();
        for (String line : lines) {
            for (String w : line.strip().split(" +")) {
                if (!w.isEmpty()) {
                    wordCounts.merge(w, 1, Integer::sum);
                }
            }
        }
        Map<String, Integer> out = new HashMap<>();
        for (Pair<String, Integer> weight : weights) {
            Integer count = wordCounts.get(weight.key());
            if (count != null) {
                out.put(weight.key(), count * weight.value());
            }
        }
        return out;
    }

    /** Runs the job and returns the scores. */
    Map<String, Integer> run() {
        return scores.collectAsMap();
    }
}
