package dev.sluice.core.dataset;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.Partitioner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Places keys by comparing them with sorted bounds, so partition {@code i} holds keys ordered
 * before those of partition {@code i+1}. Bounds come from a sample of the keys.
 */
public final class RangePartitioner<K> extends Partitioner {
    private static final int SAMPLE_PER_PARTITION = 64;
    private final Object[] bounds;
    private final Comparator<? super K> ordering;

    private RangePartitioner(Object[] bounds, Comparator<? super K> ordering) {
        this.bounds = bounds;
        this.ordering = ordering;
    }

    /** Samples {@code data}'s keys (runs a job) and returns a partitioner into {@code n} ranges. */
    public static <K, V> RangePartitioner<K> sample(Dataset<Pair<K, V>> data, int n, Comparator<? super K> ordering) {
        int perPartition = SAMPLE_PER_PARTITION * n / Math.max(1, data.numPartitions()) + 1;
        List<K> sample = new ArrayList<>();
        for (List<K> part : data.mapPartitions(it -> {
            List<K> keys = new ArrayList<>();
            long seen = 0;
            java.util.Random random = new java.util.Random(17);
            while (it.hasNext()) {
                K key = it.next().key();
                seen++;
                if (keys.size() < perPartition) {
                    keys.add(key);
                } else {
                    long slot = (long) (random.nextDouble() * seen);
                    if (slot < perPartition) {
                        keys.set((int) slot, key);
                    }
                }
            }
            return Collections.singletonList(keys).iterator();
        }).collect()) {
            sample.addAll(part);
        }
        sample.sort(ordering);
        Object[] bounds = new Object[Math.max(0, Math.min(n - 1, sample.size()))];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = sample.get((int) ((long) (i + 1) * sample.size() / n));
        }
        return new RangePartitioner<>(bounds, ordering);
    }

    @Override
    public int numPartitions() {
        return bounds.length + 1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public int partition(Object key) {
        int lo = 0;
        int hi = bounds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ordering.compare((K) key, (K) bounds[mid]) > 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangePartitioner<?> other && Arrays.equals(bounds, other.bounds)
                && ordering.equals(other.ordering);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }
}
