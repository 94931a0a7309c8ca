package dev.sluice.streaming.window;

import dev.sluice.core.Pair;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.spi.UserExceptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** Per-key merges of the partitions of co-partitioned keyed datasets, for the window operators. */
final class KeyedMerges {

    private KeyedMerges() {
    }

    /** Returns the values of each key in {@code parts} merged with {@code f}, in part order. */
    static <K, V> Map<K, V> reduce(List<Iterator<Pair<K, V>>> parts, ReduceFunction<V> f) {
        Map<K, V> out = new HashMap<>();
        BiFunction<V, V, V> merge = unchecked(f);
        for (Iterator<Pair<K, V>> it : parts) {
            while (it.hasNext()) {
                Pair<K, V> kv = it.next();
                out.merge(kv.key(), kv.value(), merge);
            }
        }
        return out;
    }

    /** Returns the entries of {@code map} as pairs. */
    static <K, V> Iterator<Pair<K, V>> pairs(Map<K, V> map) {
        Iterator<Map.Entry<K, V>> entries = map.entrySet().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Pair<K, V> next() {
                Map.Entry<K, V> e = entries.next();
                return new Pair<>(e.getKey(), e.getValue());
            }
        };
    }

    /** Returns {@code f} as a {@link BiFunction}, rethrowing its checked exceptions unchecked. */
    static <V> BiFunction<V, V, V> unchecked(ReduceFunction<V> f) {
        return (a, b) -> {
            try {
                return f.call(a, b);
            } catch (Exception e) {
                throw UserExceptions.wrap(e);
            }
        };
    }

    /** Returns a new list of {@code a}'s elements followed by {@code b}'s: the merge of groups. */
    static <V> List<V> concat(List<V> a, List<V> b) {
        List<V> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }
}
