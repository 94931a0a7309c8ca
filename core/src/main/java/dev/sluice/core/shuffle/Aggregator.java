package dev.sluice.core.shuffle;

import dev.sluice.core.Pair;
import dev.sluice.core.failure.UserCodeException;
import dev.sluice.core.function.Function2;
import dev.sluice.core.function.MapFunction;
import dev.sluice.core.function.ReduceFunction;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * How values of one key combine: make a combiner from a first value, merge a value into a
 * combiner (map side), merge two combiners (reduce side). A reducing aggregator (combiner type =
 * value type, create = identity) merges like {@link HashMap#merge}: a {@code null} result drops
 * the key.
 *
 * <p>Combining ({@link #combineValues(Iterator)}, {@link #combine}, {@link #mergeBuckets},
 * {@link #mergeCombined}) goes into a {@link CombineMap}: one probe sequence per record, with the results a {@code HashMap}
 * would give (a test keeps that reference).
 */
public final class Aggregator<K, V, C> implements Serializable {
    private final MapFunction<? super V, C> createCombiner;
    private final Function2<C, ? super V, C> mergeValue;
    private final Function2<C, C, C> mergeCombiners;
    private final boolean reducing;

    /** Creates a general aggregator. */
    public Aggregator(MapFunction<? super V, C> createCombiner, Function2<C, ? super V, C> mergeValue,
                      Function2<C, C, C> mergeCombiners) {
        this(createCombiner, mergeValue, mergeCombiners, false);
    }

    private Aggregator(MapFunction<? super V, C> createCombiner, Function2<C, ? super V, C> mergeValue,
                       Function2<C, C, C> mergeCombiners, boolean reducing) {
        this.createCombiner = createCombiner;
        this.mergeValue = mergeValue;
        this.mergeCombiners = mergeCombiners;
        this.reducing = reducing;
    }

    /** Returns the aggregator of a reduction by {@code f}. */
    public static <K, V> Aggregator<K, V, V> reducing(ReduceFunction<V> f) {
        return new Aggregator<>(v -> v, f::call, f::call, true);
    }

    /** Combines {@code records} of one partition and returns the combined pairs. */
    public Iterator<Pair<K, C>> combineValues(Iterator<? extends Pair<K, V>> records) {
        return combine(records).pairs();
    }

    /** Combines {@code records} of one partition by key. */
    CombineMap<K, C> combine(Iterator<? extends Pair<K, V>> records) {
        CombineMap<K, C> into = new CombineMap<>(0);
        try {
            while (records.hasNext()) {
                Pair<K, V> kv = records.next();
                if (reducing && kv.value() != null) {
                    mergeLikeHashMap(into, kv.key(), kv.value(), UnaryOperator.identity());
                } else {
                    addValue(into, kv.key(), kv.value());
                }
            }
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
        return into;
    }

    /**
     * Merges the flat {@code k, v, k, v} buckets of raw values a reducer read (a key's first value
     * starts its combiner, later ones are merged with {@code mergeValue}) and returns the merged
     * pairs. Combined buckets are merged by {@link #mergeCombined}.
     */
    @SuppressWarnings("unchecked")
    public Iterator<Pair<K, C>> mergeBuckets(List<Object[]> buckets) {
        int largest = 0;
        long total = 0;
        for (Object[] b : buckets) {
            largest = Math.max(largest, b.length / 2);
            total += b.length / 2;
        }
        CombineMap<K, C> merged = mergeTable(largest, total);
        try {
            for (Object[] b : buckets) {
                for (int i = 0; i < b.length; i += 2) {
                    K key = (K) b[i];
                    V value = (V) b[i + 1];
                    if (reducing && value != null) {
                        // as combine() does: merged like HashMap.merge, a null result drops the key
                        mergeLikeHashMap(merged, key, value, UnaryOperator.identity());
                    } else {
                        addValue(merged, key, value);
                    }
                }
            }
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
        return merged.pairs();
    }

    /**
     * The reducer's table for buckets whose largest holds {@code largest} keys of {@code total}:
     * sized for the largest plus up to as many keys again from the others (bounded, so that many
     * overlapping map outputs do not oversize it). Two map outputs with partly shared keys then fit
     * without a grow, which would allocate and copy the table again.
     */
    private static <K, C> CombineMap<K, C> mergeTable(long largest, long total) {
        return new CombineMap<>((int) Math.min(total, 2L * largest));
    }

    /**
     * Merges reducer {@code reducer}'s buckets of map-side-combined {@code outputs} with {@code
     * mergeCombiners}, in map order, like {@code HashMap.merge} (a null result drops the key; a null
     * combiner is merged as {@code mergeCombiners(current, null)}), and returns the merged pairs.
     * A combiner that becomes a key's accumulator goes through {@code copyFirstCombiner}. Where an output
     * carries its keys' hashes, the first output's keys (distinct within it, and the table is
     * empty) are placed without reading a key object, and later outputs' keys are found by their
     * hash; an output whose combiners are all immutable has none copied by {@code copyFirstCombiner}.
     */
    @SuppressWarnings("unchecked")
    public Iterator<Pair<K, C>> mergeCombined(List<MapOutput> outputs, int reducer,
                                              UnaryOperator<Object> copyFirstCombiner) {
        long largest = 0;
        long total = 0;
        for (MapOutput o : outputs) {
            long n = 0;
            for (Object[] chunk : o.buckets()[reducer]) {
                n += chunk.length / 2;
            }
            largest = Math.max(largest, n);
            total += n;
        }
        CombineMap<K, C> merged = mergeTable(largest, total);
        try {
            boolean first = true;
            for (MapOutput o : outputs) {
                Object[][] chunks = o.buckets()[reducer];
                int[][] hashes = o.hashes() == null ? null : o.hashes()[reducer];
                UnaryOperator<Object> copy = o.immutableCombiners() ? UnaryOperator.identity() : copyFirstCombiner;
                for (int c = 0; c < chunks.length; c++) {
                    Object[] b = chunks[c];
                    int[] h = hashes == null ? null : hashes[c];
                    for (int i = 0; i < b.length; i += 2) {
                        K key = (K) b[i];
                        Object combiner = b[i + 1];
                        if (key == null) {
                            mergeCombiner(merged, merged.find(null), null, 0, combiner, copy);
                        } else if (first && h != null) {
                            merged.insertAbsent(key, copy.apply(combiner), h[i >> 1]);
                        } else {
                            int hash = h == null ? key.hashCode() : h[i >> 1];
                            mergeCombiner(merged, merged.find(key, hash), key, hash, combiner, copy);
                        }
                    }
                }
                first = false;
            }
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
        return merged.pairs();
    }

    /**
     * Merges one combiner into {@code map} at {@code slot}, what {@code find} returned for {@code key}
     * (whose {@code hashCode()} is {@code hash}), as {@link #mergeCombined} describes.
     */
    private void mergeCombiner(CombineMap<K, C> map, int slot, K key, int hash, Object combiner,
                               UnaryOperator<Object> copyFirst) throws Exception {
        if (slot < 0) {
            map.insert(slot, key, combiner == null ? null : copyFirst.apply(combiner), hash);
        } else {
            mergeInto(map, slot, combiner, copyFirst);
        }
    }

    /**
     * Merges {@code combiner} into the present key of {@code slot}: a null combiner as {@code
     * mergeCombiners(current, null)}, a non-null one as {@link #mergeLikeHashMap} does.
     */
    @SuppressWarnings("unchecked")
    private void mergeInto(CombineMap<K, C> map, int slot, Object combiner, UnaryOperator<Object> copyFirst)
            throws Exception {
        C current = map.value(slot);
        if (combiner == null) {
            map.setValue(slot, mergeCombiners.call(current, null));
        } else if (current == null) {
            map.setValue(slot, (C) copyFirst.apply(combiner));
        } else {
            C result = mergeCombiners.call(current, (C) combiner);
            if (result == null) {
                map.remove(slot);
            } else {
                map.setValue(slot, result);
            }
        }
    }

    /** Adds a raw value: a new key gets {@code createCombiner(value)}, a present one {@code mergeValue}. */
    private void addValue(CombineMap<K, C> map, K key, V value) throws Exception {
        int slot = map.find(key);
        if (slot < 0) {
            map.insert(slot, key, createCombiner.call(value));
        } else {
            map.setValue(slot, mergeValue.call(map.value(slot), value));
        }
    }

    /**
     * Merges a non-null combiner as {@code HashMap.merge(key, combiner, mergeCombiners)} would: it
     * replaces an absent or null value, and a null merge result removes the key. A combiner that
     * becomes a key's accumulator goes through {@code copyFirst} first.
     */
    @SuppressWarnings("unchecked")
    private void mergeLikeHashMap(CombineMap<K, C> map, K key, Object combiner, UnaryOperator<Object> copyFirst)
            throws Exception {
        int slot = map.find(key);
        if (slot < 0) {
            map.insert(slot, key, copyFirst.apply(combiner));
            return;
        }
        C current = map.value(slot);
        if (current == null) {
            map.setValue(slot, (C) copyFirst.apply(combiner));
            return;
        }
        C result = mergeCombiners.call(current, (C) combiner);
        if (result == null) {
            map.remove(slot);
        } else {
            map.setValue(slot, result);
        }
    }

    /** Returns an iterator of {@code map}'s entries as pairs. */
    public static <K, C> Iterator<Pair<K, C>> pairs(Map<K, C> map) {
        Iterator<Map.Entry<K, C>> entries = map.entrySet().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Pair<K, C> next() {
                Map.Entry<K, C> e = entries.next();
                return new Pair<>(e.getKey(), e.getValue());
            }
        };
    }
}
