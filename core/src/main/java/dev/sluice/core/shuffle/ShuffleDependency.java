package dev.sluice.core.shuffle;

import dev.sluice.core.HashPartitioner;
import dev.sluice.core.Pair;
import dev.sluice.core.Partitioner;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.NodeDependency;
import dev.sluice.core.dataset.ZeroValues;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A dependency through a shuffle: every child partition reads its bucket from every parent
 * partition's map output. Also knows how to write a map output, combining on the map side when
 * it has an aggregator that asks for it, and holds the map outputs themselves (see
 * {@link ShuffleRegistry} for why here). The scheduler, not the map task, puts an output here once
 * the task that wrote it has succeeded.
 *
 * <p>Threading: map tasks put and reduce tasks read outputs concurrently; they live in an
 * {@link AtomicReferenceArray}, so a put is visible to every later read. An output, once put, is
 * never changed, only cleared; putting it twice (a retried task) keeps the first, the same data.
 * Reading with an output missing throws {@link FetchFailedException}, which the scheduler answers
 * by recomputing that output.
 */
public final class ShuffleDependency<K, V, C> implements NodeDependency {
    private final DatasetNode<Pair<K, V>> parent;
    private final Partitioner partitioner;
    private final Aggregator<K, V, C> aggregator;
    private final boolean mapSideCombine;
    /** The engine's own bookkeeping shuffle (a gather of per-partition partials): written by a loop of its own. */
    private final boolean internal;
    private final int shuffleId;
    private final AtomicReferenceArray<MapOutput> outputs;
    /** Map indexes whose task's accumulator updates were merged: at most once each, even if recomputed. */
    private final java.util.concurrent.atomic.AtomicIntegerArray updatesCounted;

    /** Creates the dependency; the scheduler registers it when a job first plans its map stage. */
    public ShuffleDependency(DatasetNode<Pair<K, V>> parent, Partitioner partitioner, Aggregator<K, V, C> aggregator,
                             boolean mapSideCombine, int shuffleId) {
        this(parent, partitioner, aggregator, mapSideCombine, false, shuffleId);
    }

    /**
     * Creates the dependency; {@code internal} marks an engine-internal shuffle without map-side
     * combine (see {@link #write}).
     */
    ShuffleDependency(DatasetNode<Pair<K, V>> parent, Partitioner partitioner, Aggregator<K, V, C> aggregator,
                      boolean mapSideCombine, boolean internal, int shuffleId) {
        this.internal = internal && !(mapSideCombine && aggregator != null);
        this.parent = parent;
        this.partitioner = partitioner;
        this.aggregator = aggregator;
        this.mapSideCombine = mapSideCombine && aggregator != null;
        this.shuffleId = shuffleId;
        this.outputs = new AtomicReferenceArray<>(parent.numPartitions());
        this.updatesCounted = new java.util.concurrent.atomic.AtomicIntegerArray(parent.numPartitions());
    }

    /** Returns the map indexes that have no output. */
    public List<Integer> missingOutputs() {
        List<Integer> out = new ArrayList<>();
        for (int m = 0; m < outputs.length(); m++) {
            if (outputs.get(m) == null) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Returns true the first time it is called for {@code mapIndex}: the accumulator updates of
     * the first succeeded task of that map partition count, those of a recompute after its output
     * was lost (or cleared) do not, so every map partition's updates count once per shuffle.
     */
    public boolean claimAccumulatorUpdates(int mapIndex) {
        return updatesCounted.compareAndSet(mapIndex, 0, 1);
    }

    /** Stores the output of map task {@code mapIndex}, unless one is there already. */
    public void putOutput(int mapIndex, MapOutput output) {
        outputs.compareAndSet(mapIndex, null, output);
    }

    /**
     * Returns the chunks of reducer {@code reducer}'s bucket from every map output, in map order.
     *
     * @throws FetchFailedException if any map output is missing
     */
    public List<Object[]> read(int reducer) {
        List<Object[]> out = new ArrayList<>(outputs.length());
        for (MapOutput o : readOutputs()) {
            Collections.addAll(out, o.buckets()[reducer]);
        }
        return out;
    }

    /**
     * Returns every map output, in map order, for a reducer that reads them whole (a combined
     * shuffle's: keys' hashes and the immutability of the combiners with the chunks).
     *
     * @throws FetchFailedException if any map output is missing
     */
    public List<MapOutput> readOutputs() {
        List<MapOutput> out = new ArrayList<>(outputs.length());
        for (int m = 0; m < outputs.length(); m++) {
            MapOutput o = outputs.get(m);
            if (o == null) {
                throw new FetchFailedException(shuffleId, m);
            }
            out.add(o);
        }
        return out;
    }

    /** Returns true if any map output is held. */
    public boolean hasOutputs() {
        for (int m = 0; m < outputs.length(); m++) {
            if (outputs.get(m) != null) {
                return true;
            }
        }
        return false;
    }

    /** Drops one map output, as if it were lost. */
    public void clearOutput(int mapIndex) {
        if (mapIndex >= 0 && mapIndex < outputs.length()) {
            outputs.set(mapIndex, null);
        }
    }

    /** Drops every map output. */
    public void clearOutputs() {
        for (int m = 0; m < outputs.length(); m++) {
            outputs.set(m, null);
        }
    }

    @Override
    public DatasetNode<Pair<K, V>> parent() {
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

    /**
     * Splits (and, if asked, combines) one map partition's records into per-reducer buckets.
     *
     * <p>Why an engine-internal shuffle has a loop of its own ({@link #writeInternal}): the
     * {@code records.next()} calls here and in {@link Aggregator#combine} are where C2 inlines
     * the user's pair function and removes the {@code Pair} it returns (escape analysis), which
     * it can only do while the call has seen one record source. The engine's own gathers
     * ({@code count()}, {@code reduce()} of a stream, once per batch) would otherwise be a second
     * source in every JVM, and the merged allocation of two inlined sources is not removable.
     */
    public MapOutput write(Iterator<Pair<K, V>> records) {
        int reducers = partitioner.numPartitions();
        if (mapSideCombine) {
            return combinedOutput(aggregator.combine(records), reducers);
        }
        if (internal) {
            return writeInternal(records, reducers);
        }
        ObjectBuffer[] buffers = buffers(reducers, 64);
        while (records.hasNext()) {
            Pair<K, V> kv = records.next();
            buffers[partitioner.partition(kv.key())].add(kv.key(), kv.value());
        }
        return output(buffers);
    }

    /** The same as the plain loop of {@link #write}, on a call site of its own (see there). */
    private MapOutput writeInternal(Iterator<Pair<K, V>> records, int reducers) {
        ObjectBuffer[] buffers = buffers(reducers, 8);
        while (records.hasNext()) {
            Pair<K, V> kv = records.next();
            buffers[partitioner.partition(kv.key())].add(kv.key(), kv.value());
        }
        return output(buffers);
    }

    /**
     * Writes the combined map into per-reducer chunks of exactly the right length: one walk over
     * the occupied slots places each key and counts each reducer's keys, a second fills the
     * chunks, so no bucket is grown or trimmed by copying. A {@link HashPartitioner} places a key
     * from the hash the map stored when the key went in, in both walks: no key object is read
     * (a cache miss per key once the table outgrows the cache) and no per-key array is needed.
     * Another partitioner is asked once per key, its answers kept for the second walk.
     */
    private MapOutput combinedOutput(CombineMap<K, C> combined, int reducers) {
        boolean byHash = partitioner instanceof HashPartitioner;
        int[] counts = new int[reducers];
        int[] partitions = byHash ? null : new int[combined.size()];
        int n = 0;
        for (int s = combined.nextSlot(0); s >= 0; s = combined.nextSlot(s + 1)) {
            int r;
            if (byHash) {
                r = placeByHash(combined, s, reducers);
            } else {
                r = partitioner.partition(combined.key(s));
                partitions[n++] = r;
            }
            counts[r]++;
        }
        int perChunk = ObjectBuffer.MAX_CHUNK / 2;
        Object[][][] buckets = new Object[reducers][][];
        for (int r = 0; r < reducers; r++) {
            int chunks = Math.max(1, (counts[r] + perChunk - 1) / perChunk);
            buckets[r] = new Object[chunks][];
            for (int c = 0; c < chunks; c++) {
                buckets[r][c] = new Object[2 * Math.min(perChunk, counts[r] - c * perChunk)];
            }
        }
        int[][][] hashes = new int[reducers][][];
        for (int r = 0; r < reducers; r++) {
            hashes[r] = new int[buckets[r].length][];
            for (int c = 0; c < buckets[r].length; c++) {
                hashes[r][c] = new int[buckets[r][c].length / 2];
            }
        }
        int[] filled = new int[reducers];
        boolean immutable = true;
        n = 0;
        for (int s = combined.nextSlot(0); s >= 0; s = combined.nextSlot(s + 1)) {
            int r = byHash ? placeByHash(combined, s, reducers) : partitions[n++];
            int i = filled[r]++;
            Object[] chunk = buckets[r][i / perChunk];
            C value = combined.value(s);
            chunk[2 * (i % perChunk)] = combined.key(s);
            chunk[2 * (i % perChunk) + 1] = value;
            hashes[r][i / perChunk][i % perChunk] = combined.hash(s);
            immutable = immutable && ZeroValues.isImmutable(value);
        }
        return new MapOutput(buckets, hashes, immutable);
    }

    /** The {@link HashPartitioner}'s partition of the key in {@code slot}, from its stored hash. */
    private static int placeByHash(CombineMap<?, ?> combined, int slot, int reducers) {
        return combined.isNullKeySlot(slot) ? 0 : HashPlacement.partition(combined.hash(slot), reducers);
    }

    private static ObjectBuffer[] buffers(int n, int capacity) {
        ObjectBuffer[] out = new ObjectBuffer[n];
        for (int i = 0; i < n; i++) {
            out[i] = new ObjectBuffer(capacity);
        }
        return out;
    }

    private static MapOutput output(ObjectBuffer[] buffers) {
        Object[][][] buckets = new Object[buffers.length][][];
        for (int i = 0; i < buffers.length; i++) {
            buckets[i] = buffers[i].toChunks();
        }
        return new MapOutput(buckets);
    }

    @Override
    public String toString() {
        return "ShuffleDependency(shuffle " + shuffleId + ", " + partitioner + ")";
    }
}
