package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Random inputs for the property-style stream tests, the plain-Java reference helpers, and the
 * assertions that compare a stream's output with the reference, naming the seed.
 */
final class RandomBatches {
    private static final int SEEDS = 30;

    private RandomBatches() {
    }

    /** The seeds every property-style test runs with. */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, SEEDS);
    }

    /** Returns a kit with a random parallelism in 1..4. */
    static StreamingTestKit kit(Random rnd) {
        return StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).parallelism(1 + rnd.nextInt(4)).build();
    }

    /** Returns 1..6 batches of 0..30 ints in [0, 20); some batches are empty, and so is the last one. */
    static List<List<Integer>> ints(Random rnd) {
        int n = 1 + rnd.nextInt(6);
        List<List<Integer>> batches = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            int size = rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(31);
            List<Integer> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(rnd.nextInt(20));
            }
            batches.add(batch);
        }
        batches.add(List.of());
        return batches;
    }

    /** Returns batches of pairs with keys in [0, 6), so that keys repeat, aligned with {@code batchCount}. */
    static List<List<Pair<Integer, Integer>>> pairs(Random rnd, int batchCount) {
        List<List<Pair<Integer, Integer>>> batches = new ArrayList<>();
        for (int b = 0; b < batchCount; b++) {
            int size = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(16);
            List<Pair<Integer, Integer>> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(Pair.of(rnd.nextInt(6), rnd.nextInt(100)));
            }
            batches.add(batch);
        }
        return batches;
    }

    /** Applies {@code f} to each batch. */
    static <T, R> List<List<R>> perBatch(List<List<T>> in, Function<List<T>, List<R>> f) {
        return in.stream().map(f).collect(Collectors.toList());
    }

    /** Returns the contiguous slices {@code [p*n/P, (p+1)*n/P)} of {@code batch}, as the kit's input makes them. */
    static <T> List<List<T>> slices(List<T> batch, int parallelism) {
        List<List<T>> out = new ArrayList<>();
        int n = batch.size();
        for (int p = 0; p < parallelism; p++) {
            out.add(batch.subList(p * n / parallelism, (p + 1) * n / parallelism));
        }
        return out;
    }

    /** Asserts that {@code out} holds exactly {@code expected}, batch by batch and in order. */
    static <T> void assertExact(BatchOutput<T> out, List<List<T>> expected, long seed, String operation) {
        assertThat(out.batches()).as("seed %d: %s", seed, operation).containsExactlyElementsOf(expected);
    }

    /** Asserts that each batch of {@code out} holds the elements of {@code expected}'s batch, in any order. */
    static <T> void assertAnyOrder(BatchOutput<T> out, List<List<T>> expected, long seed, String operation) {
        assertThat(perBatch(out.batches(), RandomBatches::multiset)).as("seed %d: %s", seed, operation)
                .containsExactlyElementsOf(perBatch(expected, RandomBatches::multiset));
    }

    private static <T> List<Map<T, Long>> multiset(List<T> batch) {
        Map<T, Long> counts = new HashMap<>();
        batch.forEach(t -> counts.merge(t, 1L, Long::sum));
        return List.of(counts);
    }
}
