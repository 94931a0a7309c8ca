package dev.sluice.core.shuffle;

/**
 * What one map task wrote: for each reducer, its bucket as flat chunks {@code k0, v0, k1, v1, ...}
 * ({@code buckets[reducer][chunk]}). Flat arrays instead of lists of pairs save one object per
 * record and keep the reduce side's reads sequential; chunks keep each array small (see
 * {@link ObjectBuffer}).
 */
public record MapOutput(Object[][][] buckets) {

    /** Returns the number of records across all buckets. */
    public long records() {
        long n = 0;
        for (Object[][] bucket : buckets) {
            for (Object[] chunk : bucket) {
                n += chunk.length / 2;
            }
        }
        return n;
    }
}
