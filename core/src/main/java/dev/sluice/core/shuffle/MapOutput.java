package dev.sluice.core.shuffle;

/**
 * What one map task wrote: for each reducer, a flat array {@code k0, v0, k1, v1, ...}. Flat
 * arrays instead of lists of pairs save one object per record and keep the reduce side's reads
 * sequential.
 */
public record MapOutput(Object[][] buckets) {

    /** Returns the number of records across all buckets. */
    public long records() {
        long n = 0;
        for (Object[] b : buckets) {
            n += b.length / 2;
        }
        return n;
    }
}
