package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Pair;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The plain-Java loops that Sluice's numbers are compared with in the same JVM, on the same
 * batches and with the same {@link Splitter}: W1 on one and on two threads, and one thread doing
 * the work of W2 (with and without the inverse), W3update and W3mapws with {@code HashMap}s.
 *
 * <p>The input must hold words separated by exactly one space, as the workload does.
 *
 * <p>Thread-safety: the static methods are stateless (the batch must not be modified while one
 * runs); a {@link Loop} is used by one thread at a time.
 */
public final class Baselines {
    private static final int THREADS = 2;
    /** Fibonacci hashing's multiplier (2^32 / golden ratio), to take partitions from high bits. */
    private static final int MIX = 0x9E3779B9;

    private Baselines() {
    }

    /** A stateful baseline: one call per batch, in batch order; returns the batch's output. */
    @FunctionalInterface
    interface Loop {
        long batch(List<String> lines);
    }

    /**
     * Counts words with one thread into one {@code HashMap<String, Integer>} via
     * {@code merge(w, 1, Integer::sum)} and returns the number of distinct words.
     */
    public static long singleThread(List<String> lines) {
        return singleThread(lines, Splitter.INDEX_OF);
    }

    /** {@link #singleThread(List)} with {@code splitter}. */
    public static long singleThread(List<String> lines, Splitter splitter) {
        return count(lines, splitter).size();
    }

    /** {@link #twoThreads(List, ExecutorService, Splitter)} with the {@code indexOf} splitter. */
    public static long twoThreads(List<String> lines, ExecutorService pool) {
        return twoThreads(lines, pool, Splitter.INDEX_OF);
    }

    /**
     * Counts words on two threads of {@code pool} and returns the number of distinct words.
     *
     * <p>Map phase: each thread takes half of the lines into two maps, partitioned by
     * {@link #partition}: the top bit of the word's hash times a Fibonacci constant, so that the
     * low bits {@code HashMap} takes its bucket index from still spread within each partition.
     * Reduce phase: thread {@code p} merges partition {@code p} of both threads' maps. The pool
     * should be long-lived and have at least two threads, so that thread start-up is not measured.
     *
     * @throws IllegalStateException if a task fails or the calling thread is interrupted
     */
    public static long twoThreads(List<String> lines, ExecutorService pool, Splitter splitter) {
        checkNotNull(lines, "lines");
        checkNotNull(pool, "pool");
        checkNotNull(splitter, "splitter");
        int half = lines.size() / 2;
        List<List<Map<String, Integer>>> mapped = runOnPool(pool, List.of(
                () -> countPartitioned(lines.subList(0, half), splitter),
                () -> countPartitioned(lines.subList(half, lines.size()), splitter)));
        List<Callable<Integer>> reduces = new ArrayList<>(THREADS);
        for (int p = 0; p < THREADS; p++) {
            Map<String, Integer> first = mapped.get(0).get(p);
            Map<String, Integer> second = mapped.get(1).get(p);
            reduces.add(() -> mergeInto(first, second).size());
        }
        long distinct = 0;
        for (int size : runOnPool(pool, reduces)) {
            distinct += size;
        }
        return distinct;
    }

    /** The map phase of {@link #twoThreads}: the words of {@code lines} counted into one map per partition. */
    static List<Map<String, Integer>> countPartitioned(List<String> lines, Splitter splitter) {
        List<Map<String, Integer>> partitions = new ArrayList<>(THREADS);
        for (int p = 0; p < THREADS; p++) {
            partitions.add(new HashMap<>());
        }
        for (String line : lines) {
            splitter.forEachWord(line, w -> partitions.get(partition(w)).merge(w, 1, Integer::sum));
        }
        return partitions;
    }

    private static Map<String, Integer> mergeInto(Map<String, Integer> target,
            Map<String, Integer> source) {
        source.forEach((w, n) -> target.merge(w, n, Integer::sum));
        return target;
    }

    /**
     * The partition of a word: the top bit of {@code hashCode() * 0x9E3779B9}. Not the spread
     * hash's low bit, which is the bit {@code HashMap} picks buckets by: partitioning on it would
     * leave half of every partition map's buckets empty.
     */
    static int partition(String word) {
        return (word.hashCode() * MIX) >>> 31;
    }

    /** Calls {@code sink} with each word of a line of words separated by single spaces. */
    static void forEachWord(String line, Consumer<? super String> sink) {
        int start = 0;
        int end;
        while ((end = line.indexOf(' ', start)) >= 0) {
            sink.accept(line.substring(start, end));
            start = end + 1;
        }
        sink.accept(line.substring(start));
    }

    private static Map<String, Integer> count(List<String> lines, Splitter splitter) {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : lines) {
            splitter.forEachWord(line, w -> counts.merge(w, 1, Integer::sum));
        }
        return counts;
    }

    /**
     * W2 with the inverse, in one thread: the window's counts are kept in one map; per batch, the
     * batch's counts are added and those of the batch leaving the window subtracted. Keys whose
     * count is back to zero stay, as in the engine without a filter; returns the window's keys.
     */
    static Loop windowWithInverse(Splitter splitter, int windowBatches) {
        checkArgument(windowBatches > 0, "windowBatches must be > 0, got %s", windowBatches);
        Deque<Map<String, Integer>> batches = new ArrayDeque<>();
        Map<String, Integer> window = new HashMap<>();
        return lines -> {
            Map<String, Integer> counts = count(lines, splitter);
            mergeInto(window, counts);
            batches.addLast(counts);
            if (batches.size() > windowBatches) {
                batches.removeFirst().forEach((w, n) -> window.merge(w, -n, Integer::sum));
            }
            return window.size();
        };
    }

    /**
     * W2 without the inverse, in one thread: per batch, the counts of the last
     * {@code windowBatches} batches merged into a new map; returns its keys.
     */
    static Loop windowWithoutInverse(Splitter splitter, int windowBatches) {
        checkArgument(windowBatches > 0, "windowBatches must be > 0, got %s", windowBatches);
        Deque<Map<String, Integer>> batches = new ArrayDeque<>();
        return lines -> {
            batches.addLast(count(lines, splitter));
            if (batches.size() > windowBatches) {
                batches.removeFirst();
            }
            Map<String, Integer> window = new HashMap<>();
            for (Map<String, Integer> b : batches) {
                mergeInto(window, b);
            }
            return window.size();
        };
    }

    /**
     * W3update in one thread, with {@code updateStateByKey}'s semantics: per batch, the batch's
     * words are counted, then every key of the state is updated (its count plus the batch's, which
     * may be zero) and the batch's new keys are added; returns the state's keys.
     */
    static Loop updateState(Splitter splitter) {
        Map<String, Integer> state = new HashMap<>();
        return lines -> {
            Map<String, Integer> counts = count(lines, splitter);
            state.replaceAll((w, n) -> n + counts.getOrDefault(w, 0));
            counts.forEach(state::putIfAbsent);
            return state.size();
        };
    }

    /**
     * W3mapws in one thread: per word, the word's running count in a {@code HashMap} is updated
     * and {@code (word, count)} appended to the batch's output list; returns the output's size.
     */
    static Loop mapWithState(Splitter splitter) {
        Map<String, Integer> state = new HashMap<>();
        return lines -> {
            List<Pair<String, Integer>> out = new ArrayList<>();
            for (String line : lines) {
                splitter.forEachWord(line, w -> out.add(Pair.of(w, state.merge(w, 1, Integer::sum))));
            }
            return out.size();
        };
    }

    private static <T> List<T> runOnPool(ExecutorService pool, List<Callable<T>> tasks) {
        try {
            List<T> results = new ArrayList<>(tasks.size());
            for (Future<T> f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting words", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a word-count task failed", e.getCause());
        }
    }
}
