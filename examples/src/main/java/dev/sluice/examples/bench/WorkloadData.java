package dev.sluice.examples.bench;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Generates the benchmark input of {@code shared/bench/WORKLOADS.md} exactly: line {@code L} is
 * ten Zipf(1) words over {@code "w0" … "w99999"}, drawn with SplitMix64 (seed 42).
 *
 * <p>Every line is a pure function of its index, so any line, batch or partition can be made on
 * its own and in any order. Large ranges are generated on two threads; the result does not
 * depend on that.
 *
 * <p>Thread-safety: all methods are thread-safe. The word table and its cumulative distribution
 * are built once, on first use. Returned lists are unmodifiable.
 */
public final class WorkloadData {
    /** Number of distinct words in the vocabulary. */
    public static final int VOCABULARY_SIZE = 100_000;
    /** Words per line. */
    public static final int WORDS_PER_LINE = 10;
    /** Lines pre-generated for throughput runs, at most: {@code K = min(8, this / N)}. */
    static final int PREGENERATED_LINES = 4_000_000;
    private static final int MAX_PREGENERATED_BATCHES = 8;

    private static final long SEED = 42L;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** Below this many lines a second thread costs more than it saves. */
    private static final int PARALLEL_THRESHOLD = 20_000;

    private WorkloadData() {
    }

    /** Returns line {@code index} (0-based), without a trailing newline. */
    public static String line(long index) {
        checkArgument(index >= 0, "line index must be >= 0, got %s", index);
        return Vocabulary.INSTANCE.line(index, new StringBuilder(64));
    }

    /** Returns batch {@code b} of size {@code linesPerBatch}: lines {@code b·N … b·N+N−1}. */
    public static List<String> batch(int b, int linesPerBatch) {
        checkBatch(b, linesPerBatch);
        return lines((long) b * linesPerBatch, linesPerBatch);
    }

    /**
     * Returns partition {@code p} of {@code numPartitions} of batch {@code b}: lines
     * {@code b·N + ⌊p·N/P⌋ … b·N + ⌊(p+1)·N/P⌋ − 1}.
     */
    public static List<String> partitionOfBatch(int b, int linesPerBatch, int p, int numPartitions) {
        checkBatch(b, linesPerBatch);
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        checkArgument(p >= 0 && p < numPartitions,
                "partition must be in [0, %s), got %s", numPartitions, p);
        long from = (long) p * linesPerBatch / numPartitions;
        long to = (long) (p + 1) * linesPerBatch / numPartitions;
        return lines((long) b * linesPerBatch + from, (int) (to - from));
    }

    private static void checkBatch(int b, int linesPerBatch) {
        checkArgument(b >= 0, "batch must be >= 0, got %s", b);
        checkArgument(linesPerBatch > 0, "linesPerBatch must be > 0, got %s", linesPerBatch);
    }

    /** Returns how many distinct batches a throughput run of this batch size pre-generates. */
    public static int pregeneratedBatches(int linesPerBatch) {
        checkArgument(linesPerBatch > 0, "linesPerBatch must be > 0, got %s", linesPerBatch);
        return Math.max(1, Math.min(MAX_PREGENERATED_BATCHES, PREGENERATED_LINES / linesPerBatch));
    }

    /**
     * Returns batches {@code 0 … K−1} with {@code K = min(8, 4,000,000 / N)} (at least 1), which
     * throughput runs feed cyclically.
     */
    public static List<List<String>> pregenerate(int linesPerBatch) {
        int k = pregeneratedBatches(linesPerBatch);
        List<List<String>> batches = new ArrayList<>(k);
        for (int b = 0; b < k; b++) {
            batches.add(batch(b, linesPerBatch));
        }
        return Collections.unmodifiableList(batches);
    }

    /** Returns lines {@code from … from+count−1}. */
    static List<String> lines(long from, int count) {
        checkArgument(from >= 0, "from must be >= 0, got %s", from);
        checkArgument(count >= 0, "count must be >= 0, got %s", count);
        String[] out = new String[count];
        if (count < PARALLEL_THRESHOLD || Runtime.getRuntime().availableProcessors() < 2) {
            fill(out, from, 0, count);
        } else {
            fillOnTwoThreads(out, from);
        }
        return Collections.unmodifiableList(Arrays.asList(out));
    }

    private static void fillOnTwoThreads(String[] out, long from) {
        int half = out.length / 2;
        FutureTask<Void> secondHalf = new FutureTask<>(() -> fill(out, from, half, out.length), null);
        Thread helper = new Thread(secondHalf, "workload-data-generator");
        helper.setDaemon(true);
        helper.start();
        fill(out, from, 0, half);
        try {
            // get() also publishes the helper's writes to this thread.
            secondHalf.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating workload lines", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("generating workload lines failed", e.getCause());
        }
    }

    private static void fill(String[] out, long firstLine, int fromIndex, int toIndex) {
        Vocabulary vocabulary = Vocabulary.INSTANCE;
        StringBuilder sb = new StringBuilder(64);
        for (int i = fromIndex; i < toIndex; i++) {
            out[i] = vocabulary.line(firstLine + i, sb);
        }
    }

    /** SplitMix64 draw {@code k} of the seed-42 stream. */
    static long draw(long k) {
        long z = SEED + (k + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The words and their Zipf(1) cumulative weights; built on first use (holder idiom). */
    private static final class Vocabulary {
        static final Vocabulary INSTANCE = new Vocabulary();

        private final String[] words = new String[VOCABULARY_SIZE];
        private final double[] cdf = new double[VOCABULARY_SIZE];
        private final double total;

        private Vocabulary() {
            double sum = 0.0;
            for (int j = 0; j < VOCABULARY_SIZE; j++) {
                sum += 1.0 / (j + 1);
                cdf[j] = sum;
                words[j] = "w" + j;
            }
            total = sum;
        }

        String line(long index, StringBuilder sb) {
            sb.setLength(0);
            long firstDraw = index * WORDS_PER_LINE;
            for (int w = 0; w < WORDS_PER_LINE; w++) {
                if (w > 0) {
                    sb.append(' ');
                }
                sb.append(words[pick(draw(firstDraw + w))]);
            }
            return sb.toString();
        }

        /** Smallest {@code i} with {@code cdf[i] > u·total}; the last word if rounding leaves none. */
        private int pick(long draw) {
            double target = (draw >>> 11) * 0x1.0p-53 * total;
            int lo = 0;
            int hi = VOCABULARY_SIZE - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] > target) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }
    }
}
