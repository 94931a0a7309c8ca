package dev.sluice.core.shuffle;

import dev.sluice.core.Pair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Holds map outputs in memory, by shuffle id and map index, until the shuffle is removed.
 *
 * <p>Threading: map tasks put and reduce tasks read concurrently from worker threads; outputs
 * live in an {@link AtomicReferenceArray} per shuffle, so a put is visible to every later read.
 *
 * <p>Invariants: a map output, once put, is never changed, only removed; putting it twice (a
 * retried or duplicated task) keeps the first, since both are the same data.
 *
 * <p>Failure and retry: reading a shuffle with a missing output throws
 * {@link FetchFailedException}, which the scheduler answers by recomputing that output.
 */
public final class ShuffleManager {
    private final ConcurrentHashMap<Integer, AtomicReferenceArray<MapOutput>> shuffles = new ConcurrentHashMap<>();

    /** Makes room for {@code numMaps} outputs of {@code shuffleId}; does nothing if it exists. */
    public void register(int shuffleId, int numMaps) {
        shuffles.computeIfAbsent(shuffleId, id -> new AtomicReferenceArray<>(numMaps));
    }

    /** Stores the output of map task {@code mapIndex}. */
    public void put(int shuffleId, int mapIndex, int numMaps, MapOutput output) {
        AtomicReferenceArray<MapOutput> outputs = shuffles.computeIfAbsent(shuffleId,
                id -> new AtomicReferenceArray<>(numMaps));
        outputs.compareAndSet(mapIndex, null, output);
    }

    /** Returns the map indexes of {@code shuffleId} that have no output. */
    public List<Integer> missing(int shuffleId, int numMaps) {
        AtomicReferenceArray<MapOutput> outputs = shuffles.get(shuffleId);
        List<Integer> out = new ArrayList<>();
        for (int m = 0; m < numMaps; m++) {
            if (outputs == null || outputs.get(m) == null) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Returns reducer {@code reducer}'s bucket from every map output, in map order.
     *
     * @throws FetchFailedException if any map output is missing
     */
    public List<Object[]> read(int shuffleId, int reducer) {
        AtomicReferenceArray<MapOutput> outputs = shuffles.get(shuffleId);
        if (outputs == null) {
            throw new FetchFailedException(shuffleId, 0);
        }
        List<Object[]> out = new ArrayList<>(outputs.length());
        for (int m = 0; m < outputs.length(); m++) {
            MapOutput o = outputs.get(m);
            if (o == null) {
                throw new FetchFailedException(shuffleId, m);
            }
            out.add(o.buckets()[reducer]);
        }
        return out;
    }

    /** Returns reducer {@code reducer}'s records from every map output as pairs. */
    public <K, V> Iterator<Pair<K, V>> readPairs(int shuffleId, int reducer) {
        return pairs(read(shuffleId, reducer));
    }

    /** Returns an iterator of pairs over flat {@code k, v, k, v} buckets. */
    public static <K, V> Iterator<Pair<K, V>> pairs(List<Object[]> buckets) {
        if (buckets.isEmpty()) {
            return Collections.emptyIterator();
        }
        return new Iterator<>() {
            private int bucket;
            private int position;

            @Override
            public boolean hasNext() {
                while (bucket < buckets.size() && position >= buckets.get(bucket).length) {
                    bucket++;
                    position = 0;
                }
                return bucket < buckets.size();
            }

            @Override
            @SuppressWarnings("unchecked")
            public Pair<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Object[] b = buckets.get(bucket);
                Pair<K, V> p = new Pair<>((K) b[position], (V) b[position + 1]);
                position += 2;
                return p;
            }
        };
    }

    /** Drops one map output, as if it were lost; the next reader recomputes it. */
    public void removeMapOutput(int shuffleId, int mapIndex) {
        AtomicReferenceArray<MapOutput> outputs = shuffles.get(shuffleId);
        if (outputs != null && mapIndex < outputs.length()) {
            outputs.set(mapIndex, null);
        }
    }

    /** Drops all outputs of {@code shuffleId}. */
    public void remove(int shuffleId) {
        shuffles.remove(shuffleId);
    }

    /** Returns the ids of the shuffles held. */
    public List<Integer> shuffleIds() {
        return List.copyOf(shuffles.keySet());
    }

    /** Returns the number of shuffles held. */
    public int size() {
        return shuffles.size();
    }
}
