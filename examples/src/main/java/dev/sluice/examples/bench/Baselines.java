package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Counts the distinct words of a batch in plain Java, the W1 baseline that Sluice's numbers are
 * compared with in the same JVM.
 *
 * <p>Both baselines split lines the same way: a hand-written {@link String#indexOf(int, int)}
 * loop on single spaces (not {@link String#split}, which would cost a regex check and an array
 * per line). The input must hold words separated by exactly one space, as the workload does.
 *
 * <p>Thread-safety: stateless; the batch must not be modified while a baseline runs.
 */
public final class Baselines {
    private static final int THREADS = 2;

    private Baselines() {
    }

    /**
     * Counts words with one thread into one {@code HashMap<String, Integer>} via
     * {@code merge(w, 1, Integer::sum)} and returns the number of distinct words.
     */
    public static long singleThread(List<String> lines) {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : lines) {
            forEachWord(line, w -> counts.merge(w, 1, Integer::sum));
        }
        return counts.size();
    }

    /**
     * Counts words on two threads of {@code pool} and returns the number of distinct words.
     *
     * <p>Map phase: each thread takes half of the lines into two maps, partitioned by
     * {@code floorMod(h ^ (h >>> 16), 2)} of the word's hash {@code h}. Reduce phase: thread
     * {@code p} merges partition {@code p} of both threads' maps. The pool should be long-lived
     * and have at least two threads, so that thread start-up is not measured.
     *
     * @throws IllegalStateException if a task fails or the calling thread is interrupted
     */
    public static long twoThreads(List<String> lines, ExecutorService pool) {
        checkNotNull(lines, "lines");
        checkNotNull(pool, "pool");
        int half = lines.size() / 2;
        List<List<Map<String, Integer>>> mapped = runOnPool(pool, List.of(
                () -> countPartitioned(lines.subList(0, half)),
                () -> countPartitioned(lines.subList(half, lines.size()))));
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

    private static List<Map<String, Integer>> countPartitioned(List<String> lines) {
        List<Map<String, Integer>> partitions = new ArrayList<>(THREADS);
        for (int p = 0; p < THREADS; p++) {
            partitions.add(new HashMap<>());
        }
        for (String line : lines) {
            forEachWord(line, w -> partitions.get(partition(w)).merge(w, 1, Integer::sum));
        }
        return partitions;
    }

    private static Map<String, Integer> mergeInto(Map<String, Integer> target,
            Map<String, Integer> source) {
        source.forEach((w, n) -> target.merge(w, n, Integer::sum));
        return target;
    }

    /** The partition of a word: the spread hash, as {@code HashMap} spreads it, modulo 2. */
    static int partition(String word) {
        int h = word.hashCode();
        return Math.floorMod(h ^ (h >>> 16), THREADS);
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
