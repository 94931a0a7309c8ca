package dev.sluice.core.shuffle;

import dev.sluice.core.Dataset;
import dev.sluice.core.Dependency;
import dev.sluice.core.Pair;
import dev.sluice.core.Partitioner;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A dependency through a shuffle: every child partition reads its bucket from every parent
 * partition's map output. Also knows how to write a map output, combining on the map side when
 * it has an aggregator that asks for it.
 */
public final class ShuffleDependency<K, V, C> implements Dependency {
    private final Dataset<Pair<K, V>> parent;
    private final Partitioner partitioner;
    private final Aggregator<K, V, C> aggregator;
    private final boolean mapSideCombine;
    private final int shuffleId;

    /** Creates the dependency; the caller registers it with the engine runtime. */
    public ShuffleDependency(Dataset<Pair<K, V>> parent, Partitioner partitioner, Aggregator<K, V, C> aggregator,
                             boolean mapSideCombine, int shuffleId) {
        this.parent = parent;
        this.partitioner = partitioner;
        this.aggregator = aggregator;
        this.mapSideCombine = mapSideCombine && aggregator != null;
        this.shuffleId = shuffleId;
    }

    @Override
    public Dataset<Pair<K, V>> parent() {
        return parent;
    }

    @Override
    public boolean isShuffle() {
        return true;
    }

    @Override
    public List<Integer> parentPartitions(int partition) {
        List<Integer> all = new ArrayList<>(parent.numPartitions());
        for (int i = 0; i < parent.numPartitions(); i++) {
            all.add(i);
        }
        return all;
    }

    /** Returns the shuffle id, unique within the engine. */
    public int shuffleId() {
        return shuffleId;
    }

    /** Returns the partitioner of the shuffle's output. */
    public Partitioner partitioner() {
        return partitioner;
    }

    /** Returns the aggregator, or null for a plain repartitioning. */
    public Aggregator<K, V, C> aggregator() {
        return aggregator;
    }

    /** Returns true if map outputs hold combiners rather than raw values. */
    public boolean mapSideCombine() {
        return mapSideCombine;
    }

    /** Splits (and, if asked, combines) one map partition's records into per-reducer buckets. */
    public MapOutput write(Iterator<Pair<K, V>> records) {
        int reducers = partitioner.numPartitions();
        if (mapSideCombine) {
            CombineMap<K, C> combined = aggregator.combine(records);
            ObjectBuffer[] buffers = buffers(reducers, combined.size() * 2 / reducers + 8);
            for (int s = combined.nextSlot(0); s >= 0; s = combined.nextSlot(s + 1)) {
                K key = combined.key(s);
                buffers[partitioner.partition(key)].add(key, combined.value(s));
            }
            return output(buffers);
        }
        ObjectBuffer[] buffers = buffers(reducers, 64);
        while (records.hasNext()) {
            Pair<K, V> kv = records.next();
            buffers[partitioner.partition(kv.key())].add(kv.key(), kv.value());
        }
        return output(buffers);
    }

    private static ObjectBuffer[] buffers(int n, int capacity) {
        ObjectBuffer[] out = new ObjectBuffer[n];
        for (int i = 0; i < n; i++) {
            out[i] = new ObjectBuffer(capacity);
        }
        return out;
    }

    private static MapOutput output(ObjectBuffer[] buffers) {
        Object[][] buckets = new Object[buffers.length][];
        for (int i = 0; i < buffers.length; i++) {
            buckets[i] = buffers[i].toArray();
        }
        return new MapOutput(buckets);
    }

    @Override
    public String toString() {
        return "ShuffleDependency(shuffle " + shuffleId + ", " + partitioner + ")";
    }
}
