package dev.sluice.core.shuffle;

/**
 * What one map task wrote: for each reducer, its bucket as flat chunks {@code k0, v0, k1, v1, ...}
 * ({@code buckets[reducer][chunk]}). Flat arrays instead of lists of pairs save one object per
 * record and keep the reduce side's reads sequential; chunks keep each array small (see
 * {@link ObjectBuffer}).
 *
 * <p>A map-side-combined output also carries each key's {@code hashCode()} ({@code
 * hashes[reducer][chunk][i]} for the key at {@code 2 * i} of that chunk; the table stored them
 * anyway) and whether every combiner in it is an immutable JDK value: the reducer then places a
 * key new to its table without reading the key object, and takes such a combiner without the
 * copy that guards a mutable one (both are reads of another core's freshly written objects).
 *
 * @param hashes the keys' hashes, shaped as {@code buckets}' keys; null if not known
 * @param immutableCombiners true if every value is null or an immutable JDK value (see
 *                           {@link dev.sluice.core.dataset.ZeroValues#isImmutable})
 */
public record MapOutput(Object[][][] buckets, int[][][] hashes, boolean immutableCombiners) {

    /** An output of records or combiners of which nothing more is known. */
    public MapOutput(Object[][][] buckets) {
        this(buckets, null, false);
    }

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
