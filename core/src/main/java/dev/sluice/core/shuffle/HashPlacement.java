package dev.sluice.core.shuffle;

/**
 * Where {@link dev.sluice.core.HashPartitioner} places a key, as a function of the key's
 * {@code hashCode()} alone, so that the map side of a shuffle can place the keys of a combined
 * table from the hashes the table stored, without reading each key object again (a cache miss
 * per key once the table outgrows the cache).
 */
public final class HashPlacement {
    private HashPlacement() {
    }

    /** Returns the partition, in {@code [0, numPartitions)}, of a non-null key whose {@code hashCode()} is {@code hash}. */
    public static int partition(int hash, int numPartitions) {
        // Spread the bits so that keys whose hashes differ only in high bits still spread.
        return Math.floorMod(hash ^ (hash >>> 16), numPartitions);
    }
}
