package dev.sluice.peers.spark;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Sluice's benchmark input (shared/bench/WORKLOADS.md), generated in this standalone project so
 * the peer feeds Spark exactly the lines Sluice's {@code WorkloadData} feeds Sluice: line
 * {@code L} is ten Zipf(1) words over {@code "w0" … "w99999"}, from SplitMix64 draws
 * {@code 10L … 10L+9} of the seed-42 stream.
 *
 * <p>{@link #verify()} checks the generator against the check values WORKLOADS.md publishes, so a
 * drift between this copy of the spec and Sluice's shows up as a failed run, not as different
 * data.
 */
final class WorkloadLines {
    static final int VOCABULARY_SIZE = 100_000;
    static final int WORDS_PER_LINE = 10;
    private static final long SEED = 42L;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final int PREGENERATED_LINES = 4_000_000;
    private static final int MAX_PREGENERATED_BATCHES = 8;

    private final String[] words = new String[VOCABULARY_SIZE];
    private final double[] cdf = new double[VOCABULARY_SIZE];
    private final double total;

    WorkloadLines() {
        double sum = 0.0;
        for (int j = 0; j < VOCABULARY_SIZE; j++) {
            sum += 1.0 / (j + 1);
            cdf[j] = sum;
            words[j] = "w" + j;
        }
        total = sum;
    }

    /** Draw {@code k} of the seed-42 SplitMix64 stream. */
    static long draw(long k) {
        long z = SEED + (k + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The word index of a draw: the first {@code i} whose cumulative weight exceeds {@code u·total}. */
    private int wordOf(long draw) {
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

    String line(long index) {
        StringBuilder sb = new StringBuilder(64);
        for (int w = 0; w < WORDS_PER_LINE; w++) {
            if (w > 0) {
                sb.append(' ');
            }
            sb.append(words[wordOf(draw(index * WORDS_PER_LINE + w))]);
        }
        return sb.toString();
    }

    /** Lines {@code b·n … b·n+n−1}. */
    List<String> batch(int b, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = line((long) b * n + i);
        }
        return Collections.unmodifiableList(Arrays.asList(out));
    }

    /** Batches {@code 0 … K−1}, {@code K = min(8, 4,000,000 / n)} (at least 1), fed cyclically. */
    List<List<String>> pregenerate(int n) {
        int k = Math.max(1, Math.min(MAX_PREGENERATED_BATCHES, PREGENERATED_LINES / n));
        List<List<String>> batches = new ArrayList<>(k);
        for (int b = 0; b < k; b++) {
            batches.add(batch(b, n));
        }
        return Collections.unmodifiableList(batches);
    }

    /** Fails unless line 0 and the CRC of lines 0 … 99,999 match WORKLOADS.md's check values. */
    void verify() {
        String expected0 = "w4395 w3 w15 w35 w0 w20328 w7 w8977 w33 w992";
        if (!line(0).equals(expected0)) {
            throw new IllegalStateException("generator drifted from WORKLOADS.md: line 0 is '" + line(0)
                    + "', expected '" + expected0 + "'");
        }
        CRC32 crc = new CRC32();
        for (int i = 0; i < 100_000; i++) {
            crc.update((line(i) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (crc.getValue() != 2057743067L) {
            throw new IllegalStateException("generator drifted from WORKLOADS.md: crc32(lines 0..99999) is "
                    + crc.getValue() + ", expected 2057743067");
        }
    }
}
