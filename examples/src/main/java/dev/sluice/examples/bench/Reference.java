package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The expected output of batch {@code j} of a workload (0-based, in the order fed), computed in
 * plain Java from the same data, independently of the engine and of the {@link Baselines}: sets
 * of {@code String.split(" ")} words.
 *
 * <p>Data batch {@code j} is {@code data[j mod K]}. W1: the distinct words of the batch.
 * W2inv: the keys seen in batches {@code 0 … j} (zero-valued keys stay, there is no filter).
 * W2noinv: the distinct words of batches {@code j−w+1 … j}. W3update: the keys seen in batches
 * {@code 0 … j}. W3mapws: the words of the batch. W4: 1. Unions over batches are cached by the
 * set of data batches they span, so a run of any length costs at most {@code 2^K} unions.
 */
@FunctionalInterface
interface Reference {
    /** The expected output of batch {@code j}. */
    long expected(int j);

    /** Returns the reference of {@code workload} over {@code data}, with W2's window of {@code windowBatches}. */
    static Reference of(String workload, List<List<String>> data, int windowBatches) {
        checkArgument(windowBatches > 0, "windowBatches must be > 0, got %s", windowBatches);
        Unions unions = new Unions(data);
        return switch (workload) {
            case "W1" -> j -> unions.distinct(j, j);
            case "W2inv", "W3update" -> j -> unions.distinct(0, j);
            case "W2noinv" -> j -> unions.distinct(Math.max(0, j - windowBatches + 1), j);
            case "W3mapws" -> j -> unions.words(j);
            case "W4" -> j -> 1;
            default -> throw new IllegalArgumentException("no reference for workload " + workload);
        };
    }

    /** Checks {@code actual} against {@code expected(j)}; throws {@link BenchCheckException} naming the batch. */
    default void check(String workload, String mode, int j, long actual) {
        long expected = expected(j);
        if (actual != expected) {
            throw new BenchCheckException(String.format(
                    "%s %s: batch %d output %d, but the plain-Java reference expects %d", workload, mode, j, actual,
                    expected));
        }
    }

    /** Distinct words of the union of data batches, cached by the set of data batches. */
    final class Unions {
        private final List<List<String>> data;
        private final List<Set<String>> perBatch;
        private final Map<Long, Long> cache = new HashMap<>();
        private final Map<Integer, Long> words = new HashMap<>();

        Unions(List<List<String>> data) {
            checkArgument(!data.isEmpty() && data.size() < 64, "need 1..63 data batches, got %s", data.size());
            this.data = data;
            this.perBatch = data.stream().map(b -> {
                Set<String> words = new HashSet<>();
                b.forEach(l -> words.addAll(Arrays.asList(l.split(" "))));
                return words;
            }).toList();
        }

        /** Distinct words of batches {@code from … to}. */
        long distinct(int from, int to) {
            int k = data.size();
            long mask = 0;
            for (int j = from; j <= to && j < from + k; j++) {
                mask |= 1L << (j % k);
            }
            return cache.computeIfAbsent(mask, m -> {
                Set<String> union = new HashSet<>();
                for (int b = 0; b < k; b++) {
                    if ((m & (1L << b)) != 0) {
                        union.addAll(perBatch.get(b));
                    }
                }
                return (long) union.size();
            });
        }

        /** Words (not distinct) of batch {@code j}. */
        long words(int j) {
            return words.computeIfAbsent(j % data.size(),
                    b -> data.get(b).stream().mapToLong(l -> l.split(" ").length).sum());
        }
    }
}
