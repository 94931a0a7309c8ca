package dev.sluice.streaming.window;

import dev.sluice.core.Pair;
import dev.sluice.core.function.FilterFunction;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.spi.ZippedPartitionsDataset.ZipFunction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * One partition of an incremental window: the previous window's result (if any), then the
 * batches that left, then those that entered, all co-partitioned. The batches on each side are
 * reduced per key first, so the inverse function runs once per key that left and the function
 * once per key that entered; then the filter, if any, drops entries from the carried state.
 *
 * @param hasPrevious whether the first part is the previous window's result
 * @param leaving     how many parts after it hold the batches that left
 * @param f           the reduce function
 * @param invF        its inverse
 * @param filter      which entries the carried state keeps; null keeps every entry
 * @param where       the operation and batch time, for error messages
 */
record SlideMerge<K, V>(boolean hasPrevious, int leaving, ReduceFunction<V> f, ReduceFunction<V> invF,
                        FilterFunction<? super Pair<K, V>> filter, String where)
        implements ZipFunction<Pair<K, V>, Pair<K, V>> {

    @Override
    public Iterator<Pair<K, V>> apply(List<Iterator<Pair<K, V>>> parts) throws Exception {
        int first = hasPrevious ? 1 : 0;
        Map<K, V> window = hasPrevious ? KeyedMerges.reduce(parts.subList(0, 1), f) : new HashMap<>();
        Map<K, V> left = KeyedMerges.reduce(parts.subList(first, first + leaving), f);
        Map<K, V> entered = KeyedMerges.reduce(parts.subList(first + leaving, parts.size()), f);
        for (Map.Entry<K, V> e : left.entrySet()) {
            K key = e.getKey();
            if (!window.containsKey(key)) {
                throw new IllegalStateException(String.format("%s: key %s leaves the window but is not in the "
                        + "previous window's result; the filter of reduceByKeyAndWindow must keep every key that "
                        + "still has values in the window (drop only keys whose value is the identity, such as a "
                        + "zero count)", where, key));
            }
            window.put(key, invF.call(window.get(key), e.getValue()));
        }
        BiFunction<V, V, V> add = KeyedMerges.unchecked(f);
        entered.forEach((key, value) -> window.merge(key, value, add));
        return filtered(window);
    }

    private Iterator<Pair<K, V>> filtered(Map<K, V> window) throws Exception {
        if (filter == null) {
            return KeyedMerges.pairs(window);
        }
        List<Pair<K, V>> out = new ArrayList<>(window.size());
        for (Map.Entry<K, V> e : window.entrySet()) {
            Pair<K, V> kv = Pair.of(e.getKey(), e.getValue());
            if (filter.call(kv)) {
                out.add(kv);
            }
        }
        return out.iterator();
    }
}
