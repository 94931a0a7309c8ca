package dev.sluice.core;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.Iterators;
import dev.sluice.core.dataset.MapPartitionsDataset;
import dev.sluice.core.dataset.RangePartitioner;
import dev.sluice.core.dataset.ZeroValues;
import dev.sluice.core.function.FlatMapFunction;
import dev.sluice.core.function.Function2;
import dev.sluice.core.function.MapFunction;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.shuffle.Aggregator;
import dev.sluice.core.shuffle.CoGroupedDataset;
import dev.sluice.core.shuffle.ShuffledDataset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dataset of key-value {@link Pair}s, with the keyed operations: reductions, grouping, joins,
 * partitioning and sorting.
 *
 * <p>A {@code PairDataset} is a second handle on the node of a {@code Dataset<Pair<K,V>>}: it is
 * that dataset (equal to it, same id, partitions, persistence and checkpoint), so {@link #of}
 * costs nothing and adds no step to the lineage. It adds only the keyed operations; the methods
 * it overrides only narrow their return type to {@code PairDataset}.
 *
 * <p>All {@code *ByKey} operations are built on {@link #combineByKey}, which combines values on
 * the map side before the shuffle. When this dataset is already partitioned by the partitioner an
 * operation asks for, the operation runs without a shuffle.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class PairDataset<K, V> extends Dataset<Pair<K, V>> {

    PairDataset(Engine engine, DatasetNode<Pair<K, V>> node) {
        super(engine, node);
    }

    /** Returns {@code dataset} as a keyed dataset: the same dataset, with the keyed operations. */
    @SuppressWarnings("unchecked")
    public static <K, V> PairDataset<K, V> of(Dataset<? extends Pair<? extends K, ? extends V>> dataset) {
        checkNotNull(dataset, "dataset");
        if (dataset instanceof PairDataset<?, ?> pairs) {
            return (PairDataset<K, V>) pairs;
        }
        return new PairDataset<>(dataset.engine, (DatasetNode<Pair<K, V>>) dataset.node);
    }

    private <A, B> PairDataset<A, B> wrapPairs(DatasetNode<Pair<A, B>> child) {
        return new PairDataset<>(engine, child);
    }

    // ---------------------------------------------------------------- narrower return types only

    @Override
    public PairDataset<K, V> setName(String newName) {
        super.setName(newName);
        return this;
    }

    @Override
    public PairDataset<K, V> persist(StorageLevel level) {
        super.persist(level);
        return this;
    }

    @Override
    public PairDataset<K, V> cache() {
        super.cache();
        return this;
    }

    @Override
    public PairDataset<K, V> unpersist() {
        super.unpersist();
        return this;
    }

    @Override
    public PairDataset<K, V> checkpoint() {
        super.checkpoint();
        return this;
    }

    // ---------------------------------------------------------------- the combine-by-key family

    /**
     * Combines the values of each key into a combiner: {@code createCombiner} makes one from a
     * key's first value in a partition, {@code mergeValue} adds a value to it, and
     * {@code mergeCombiners} merges combiners from different partitions after the shuffle.
     */
    public <C> PairDataset<K, C> combineByKey(MapFunction<? super V, C> createCombiner,
                                              Function2<C, ? super V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners,
                                              Partitioner partitioner) {
        return combineByKey(createCombiner, mergeValue, mergeCombiners, partitioner, true);
    }

    /** {@link #combineByKey(MapFunction, Function2, Function2, Partitioner)} with the default partitioner. */
    public <C> PairDataset<K, C> combineByKey(MapFunction<? super V, C> createCombiner,
                                              Function2<C, ? super V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners) {
        return combineByKey(createCombiner, mergeValue, mergeCombiners, defaultPartitioner());
    }

    /** {@link #combineByKey(MapFunction, Function2, Function2, Partitioner)} into {@code numPartitions} partitions. */
    public <C> PairDataset<K, C> combineByKey(MapFunction<? super V, C> createCombiner,
                                              Function2<C, ? super V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners,
                                              int numPartitions) {
        checkPositive(numPartitions);
        return combineByKey(createCombiner, mergeValue, mergeCombiners, new HashPartitioner(numPartitions));
    }

    private <C> PairDataset<K, C> combineByKey(MapFunction<? super V, C> createCombiner,
                                               Function2<C, ? super V, C> mergeValue,
                                               Function2<C, C, C> mergeCombiners,
                                               Partitioner partitioner, boolean mapSideCombine) {
        checkNotNull(createCombiner, "createCombiner");
        checkNotNull(mergeValue, "mergeValue");
        checkNotNull(mergeCombiners, "mergeCombiners");
        return combineWith(new Aggregator<>(createCombiner, mergeValue, mergeCombiners), partitioner, mapSideCombine);
    }

    private <C> PairDataset<K, C> combineWith(Aggregator<K, V, C> aggregator, Partitioner partitioner,
                                              boolean mapSideCombine) {
        checkNotNull(partitioner, "partitioner");
        if (partitioner.equals(partitioner().orElse(null))) {
            // Already partitioned this way: every key's values are in one partition; no shuffle.
            return wrapPairs(new MapPartitionsDataset<Pair<K, V>, Pair<K, C>>(
                    node, (ctx, p, it) -> aggregator.combineValues(it), true, "combineByKey"));
        }
        return wrapPairs(new ShuffledDataset<>(node, partitioner, aggregator, mapSideCombine, null));
    }

    /** Merges the values of each key with {@code f}, combining on the map side first. */
    public PairDataset<K, V> reduceByKey(ReduceFunction<V> f) {
        return reduceByKey(f, defaultPartitioner());
    }

    /** {@link #reduceByKey(ReduceFunction)} into {@code numPartitions} hash partitions. */
    public PairDataset<K, V> reduceByKey(ReduceFunction<V> f, int numPartitions) {
        checkPositive(numPartitions);
        return reduceByKey(f, new HashPartitioner(numPartitions));
    }

    /** {@link #reduceByKey(ReduceFunction)} partitioned by {@code partitioner}. */
    public PairDataset<K, V> reduceByKey(ReduceFunction<V> f, Partitioner partitioner) {
        checkNotNull(f, "f");
        return combineWith(Aggregator.reducing(f), partitioner, true);
    }

    /** Merges the values of each key with {@code f}, starting from {@code zero} (an identity of f). */
    public PairDataset<K, V> foldByKey(V zero, ReduceFunction<V> f) {
        checkNotNull(f, "f");
        ZeroValues<V> zeros = ZeroValues.of(node.services().serializer(), zero);
        return combineByKey(v -> f.call(zeros.fresh(), v), f::call, f::call, defaultPartitioner());
    }

    /**
     * Aggregates the values of each key into a {@code U}: {@code seqOp} folds a value into an
     * accumulator that starts as a fresh copy of {@code zero}, {@code combOp} merges accumulators.
     */
    public <U> PairDataset<K, U> aggregateByKey(U zero, Function2<U, ? super V, U> seqOp, Function2<U, U, U> combOp) {
        return aggregateByKey(zero, seqOp, combOp, defaultPartitioner());
    }

    /** {@link #aggregateByKey(Object, Function2, Function2)} partitioned by {@code partitioner}. */
    public <U> PairDataset<K, U> aggregateByKey(U zero, Function2<U, ? super V, U> seqOp, Function2<U, U, U> combOp,
                                                Partitioner partitioner) {
        checkNotNull(seqOp, "seqOp");
        checkNotNull(combOp, "combOp");
        ZeroValues<U> zeros = ZeroValues.of(node.services().serializer(), zero);
        return combineByKey(v -> seqOp.call(zeros.fresh(), v), seqOp, combOp, partitioner);
    }

    /** Groups the values of each key into a list (no map-side combine: it would not shrink anything). */
    public PairDataset<K, List<V>> groupByKey() {
        return groupByKey(defaultPartitioner());
    }

    /** {@link #groupByKey()} into {@code numPartitions} hash partitions. */
    public PairDataset<K, List<V>> groupByKey(int numPartitions) {
        checkPositive(numPartitions);
        return groupByKey(new HashPartitioner(numPartitions));
    }

    /** {@link #groupByKey()} partitioned by {@code partitioner}. */
    public PairDataset<K, List<V>> groupByKey(Partitioner partitioner) {
        return combineByKey(v -> {
            List<V> list = new ArrayList<>();
            list.add(v);
            return list;
        }, (list, v) -> {
            list.add(v);
            return list;
        }, (a, b) -> {
            a.addAll(b);
            return a;
        }, partitioner, false);
    }

    /** Returns the number of values per key, computed on the workers. Runs a job. */
    public Map<K, Long> countByKey() {
        return mapValues(v -> 1L).reduceByKey(Long::sum).collectAsMap();
    }

    /** Returns the pairs as a map; for a key with several values, one of them. Runs a job. */
    public Map<K, V> collectAsMap() {
        Map<K, V> out = new HashMap<>();
        for (Pair<K, V> p : collect()) {
            out.put(p.key(), p.value());
        }
        return out;
    }

    // ---------------------------------------------------------------- per-value transformations

    /** Applies {@code f} to each value; keeps the keys and the partitioner. */
    public <W> PairDataset<K, W> mapValues(MapFunction<? super V, ? extends W> f) {
        checkNotNull(f, "f");
        return wrapPairs(new MapPartitionsDataset<Pair<K, V>, Pair<K, W>>(
                node, (ctx, p, it) -> Iterators.map(it, kv -> Pair.of(kv.key(), f.call(kv.value()))), true,
                "mapValues"));
    }

    /** Replaces each value by the values {@code f} returns for it; keeps the partitioner. */
    public <W> PairDataset<K, W> flatMapValues(FlatMapFunction<? super V, ? extends W> f) {
        checkNotNull(f, "f");
        return wrapPairs(new MapPartitionsDataset<Pair<K, V>, Pair<K, W>>(node, (ctx, p, it) ->
                Iterators.flatMap(it, kv -> {
                    Iterable<? extends W> values = f.call(kv.value());
                    List<Pair<K, W>> out = new ArrayList<>();
                    if (values != null) {
                        for (W w : values) {
                            out.add(Pair.of(kv.key(), w));
                        }
                    }
                    return out;
                }), true, "flatMapValues"));
    }

    /** Returns the keys. */
    public Dataset<K> keys() {
        return map(Pair::key);
    }

    /** Returns the values. */
    public Dataset<V> values() {
        return map(Pair::value);
    }

    // ---------------------------------------------------------------- partitioning and sorting

    /** Returns this dataset partitioned by {@code partitioner}: itself if it already is. */
    public PairDataset<K, V> partitionBy(Partitioner partitioner) {
        checkNotNull(partitioner, "partitioner");
        if (partitioner.equals(partitioner().orElse(null))) {
            return this;
        }
        return wrapPairs(new ShuffledDataset<K, V, V>(node, partitioner, null, false, null));
    }

    /**
     * Sorts by key (keys must be {@link Comparable}): partition {@code i} holds keys before those of
     * partition {@code i+1}. Samples the keys first, which runs a job.
     */
    public PairDataset<K, V> sortByKey(boolean ascending) {
        return sortByKey(ascending, numPartitions());
    }

    /** {@link #sortByKey(boolean)} into {@code numPartitions} range partitions. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public PairDataset<K, V> sortByKey(boolean ascending, int numPartitions) {
        Comparator<K> natural = (Comparator) Comparator.naturalOrder();
        return sortByKey(natural, ascending, numPartitions);
    }

    /** Sorts by key with {@code comparator}; see {@link #sortByKey(boolean)}. */
    public PairDataset<K, V> sortByKey(Comparator<? super K> comparator, boolean ascending, int numPartitions) {
        checkNotNull(comparator, "comparator");
        checkPositive(numPartitions);
        Comparator<? super K> order = ascending ? comparator : comparator.reversed();
        RangePartitioner<K> partitioner = RangePartitioner.sample(this, numPartitions, order);
        return wrapPairs(new ShuffledDataset<K, V, V>(node, partitioner, null, false, order));
    }

    // ---------------------------------------------------------------- joins

    /** Groups both datasets' values per key: {@code (key, (values here, values there))}. */
    public <W> PairDataset<K, Pair<List<V>, List<W>>> cogroup(PairDataset<K, W> other) {
        return cogroup(other, defaultPartitioner(other));
    }

    /** {@link #cogroup(PairDataset)} partitioned by {@code partitioner}. */
    public <W> PairDataset<K, Pair<List<V>, List<W>>> cogroup(PairDataset<K, W> other, Partitioner partitioner) {
        checkNotNull(other, "other");
        checkNotNull(partitioner, "partitioner");
        return wrapPairs(new CoGroupedDataset<>(node, other.node, partitioner));
    }

    /** Inner join: a pair per combination of matching values, {@code (key, (v, w))}. */
    public <W> PairDataset<K, Pair<V, W>> join(PairDataset<K, W> other) {
        return join(other, defaultPartitioner(other));
    }

    /** {@link #join(PairDataset)} partitioned by {@code partitioner}. */
    public <W> PairDataset<K, Pair<V, W>> join(PairDataset<K, W> other, Partitioner partitioner) {
        return cogroup(other, partitioner).flatMapValues(g -> {
            List<Pair<V, W>> out = new ArrayList<>(g.key().size() * g.value().size());
            for (V v : g.key()) {
                for (W w : g.value()) {
                    out.add(Pair.of(v, w));
                }
            }
            return out;
        });
    }

    /** Left outer join: every value here, with each matching value there or empty. */
    public <W> PairDataset<K, Pair<V, Optional<W>>> leftOuterJoin(PairDataset<K, W> other) {
        return cogroup(other, defaultPartitioner(other)).flatMapValues(g -> {
            List<Pair<V, Optional<W>>> out = new ArrayList<>();
            for (V v : g.key()) {
                if (g.value().isEmpty()) {
                    out.add(Pair.of(v, Optional.empty()));
                }
                for (W w : g.value()) {
                    out.add(Pair.of(v, Optional.ofNullable(w)));
                }
            }
            return out;
        });
    }

    /** Right outer join: every value there, with each matching value here or empty. */
    public <W> PairDataset<K, Pair<Optional<V>, W>> rightOuterJoin(PairDataset<K, W> other) {
        return cogroup(other, defaultPartitioner(other)).flatMapValues(g -> {
            List<Pair<Optional<V>, W>> out = new ArrayList<>();
            for (W w : g.value()) {
                if (g.key().isEmpty()) {
                    out.add(Pair.of(Optional.empty(), w));
                }
                for (V v : g.key()) {
                    out.add(Pair.of(Optional.ofNullable(v), w));
                }
            }
            return out;
        });
    }

    /** Full outer join: every value on either side, with the other side's matches or empty. */
    public <W> PairDataset<K, Pair<Optional<V>, Optional<W>>> fullOuterJoin(PairDataset<K, W> other) {
        return cogroup(other, defaultPartitioner(other)).flatMapValues(g -> {
            List<Pair<Optional<V>, Optional<W>>> out = new ArrayList<>();
            if (g.key().isEmpty()) {
                g.value().forEach(w -> out.add(Pair.of(Optional.empty(), Optional.ofNullable(w))));
            } else if (g.value().isEmpty()) {
                g.key().forEach(v -> out.add(Pair.of(Optional.ofNullable(v), Optional.empty())));
            } else {
                for (V v : g.key()) {
                    for (W w : g.value()) {
                        out.add(Pair.of(Optional.ofNullable(v), Optional.ofNullable(w)));
                    }
                }
            }
            return out;
        });
    }

    /** Returns the pairs whose key does not occur in {@code other}. */
    public <W> PairDataset<K, V> subtractByKey(PairDataset<K, W> other) {
        return cogroup(other, defaultPartitioner(other)).flatMapValues(g -> g.value().isEmpty() ? g.key() : List.of());
    }

    // ---------------------------------------------------------------- defaults

    private Partitioner defaultPartitioner() {
        return partitioner().orElseGet(() -> new HashPartitioner(Math.max(1, numPartitions())));
    }

    private Partitioner defaultPartitioner(PairDataset<?, ?> other) {
        checkNotNull(other, "other");
        Optional<Partitioner> mine = partitioner();
        if (mine.isPresent()) {
            return mine.get();
        }
        Optional<Partitioner> theirs = other.partitioner();
        if (theirs.isPresent()) {
            return theirs.get();
        }
        return new HashPartitioner(Math.max(1, Math.max(numPartitions(), other.numPartitions())));
    }
}
