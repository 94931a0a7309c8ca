package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.HashPartitioner;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import dev.sluice.core.Partitioner;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.function.FilterFunction;
import dev.sluice.core.function.FlatMapFunction;
import dev.sluice.core.function.Function2;
import dev.sluice.core.function.MapFunction;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.streaming.dstream.CombinedDStream;
import dev.sluice.streaming.dstream.RecordGuard;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.TransformedDStream;
import dev.sluice.streaming.function.TransformFunction;
import dev.sluice.streaming.function.UpdateStateFunction;
import dev.sluice.streaming.state.MapWithStateRecordDStream;
import dev.sluice.streaming.state.StateDStream;
import dev.sluice.streaming.window.KeyedWindowDStream;
import dev.sluice.streaming.window.ReducedWindowedDStream;
import dev.sluice.streaming.window.Window;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A stream of key-value {@link Pair}s, with the keyed operations applied per batch: reductions,
 * grouping, joins with another keyed stream of the same slide; and, on the same keys across
 * batches, windows and state. A keyed stream is a second handle on the node of a stream of pairs
 * ({@link #of} adds nothing to the graph), so persisting or checkpointing through either handle
 * does the same.
 *
 * <p>Partitioning: reductions, grouping, {@code join}, {@code cogroup}, windows and state without
 * an explicit partitioner hash-partition into the engine's parallelism, the same partitioner
 * every batch, so that windows and state stay co-partitioned. The outer joins
 * ({@code leftOuterJoin}, {@code rightOuterJoin}, {@code fullOuterJoin}) use the batch datasets'
 * own default instead: the partitioner of a side that has one, else a hash partitioner over as
 * many partitions as the larger side has in that batch, which may differ from batch to batch.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class PairDStream<K, V> extends DStream<Pair<K, V>> {

    /** Makes a keyed handle on {@code node}. */
    PairDStream(StreamingContext context, DStreamNode<Pair<K, V>> node) {
        super(context, node);
    }

    /** Returns {@code stream} as a keyed stream: itself if it already is one, else a second handle on its node. */
    @SuppressWarnings("unchecked")
    public static <K, V> PairDStream<K, V> of(DStream<? extends Pair<? extends K, ? extends V>> stream) {
        checkNotNull(stream, "stream");
        if (stream instanceof PairDStream<?, ?> pairs) {
            return (PairDStream<K, V>) pairs;
        }
        return new PairDStream<>(stream.context(), (DStreamNode<Pair<K, V>>) stream.node());
    }

    /** Same as {@link DStream#uid}; returns this keyed stream. */
    @Override
    public PairDStream<K, V> uid(String uid) {
        super.uid(uid);
        return this;
    }

    @Override
    public PairDStream<K, V> setName(String newName) {
        super.setName(newName);
        return this;
    }

    @Override
    public PairDStream<K, V> persist(StorageLevel level) {
        super.persist(level);
        return this;
    }

    @Override
    public PairDStream<K, V> cache() {
        super.cache();
        return this;
    }

    /**
     * Checkpoints this stream's datasets every {@code interval}; a stream that must checkpoint,
     * such as an incremental window or state, uses this interval. Returns this stream.
     *
     * @throws IllegalArgumentException if {@code interval} is not a positive multiple of the slide
     */
    @Override
    public PairDStream<K, V> checkpoint(Duration interval) {
        super.checkpoint(interval);
        return this;
    }

    /** Returns the partitioner keyed operations use when none is given. */
    Partitioner defaultPartitioner() {
        return new HashPartitioner(context().engine().parallelism());
    }

    private <W> PairDStream<K, W> keyed(OperatorKind kind, TransformFunction<Pair<K, V>, Pair<K, W>> f) {
        return pairs(new TransformedDStream<Pair<K, V>, Pair<K, W>>(node(), kind, (ds, t) -> f.call(ds)));
    }

    // ---------------------------------------------------------------- per-batch keyed operations

    /** Merges the values of each key in each batch with {@code f}. */
    public PairDStream<K, V> reduceByKey(ReduceFunction<V> f) {
        return reduceByKey(f, defaultPartitioner());
    }

    /** {@link #reduceByKey(ReduceFunction)} into {@code numPartitions} partitions. */
    public PairDStream<K, V> reduceByKey(ReduceFunction<V> f, int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        return reduceByKey(f, new HashPartitioner(numPartitions));
    }

    /** {@link #reduceByKey(ReduceFunction)} partitioned by {@code partitioner}. */
    public PairDStream<K, V> reduceByKey(ReduceFunction<V> f, Partitioner partitioner) {
        checkNotNull(f, "f");
        checkNotNull(partitioner, "partitioner");
        return keyed(OperatorKind.REDUCE_BY_KEY, ds -> PairDataset.of(ds).reduceByKey(f, partitioner));
    }

    /** Combines the values of each key in each batch; see {@code PairDataset.combineByKey}. */
    public <C> PairDStream<K, C> combineByKey(MapFunction<? super V, C> createCombiner,
                                              Function2<C, ? super V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners) {
        return combineByKey(createCombiner, mergeValue, mergeCombiners, defaultPartitioner());
    }

    /** Combines the values of each key in each batch, partitioned by {@code partitioner}. */
    public <C> PairDStream<K, C> combineByKey(MapFunction<? super V, C> createCombiner,
                                              Function2<C, ? super V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners, Partitioner partitioner) {
        checkNotNull(partitioner, "partitioner");
        return keyed(OperatorKind.COMBINE_BY_KEY,
                ds -> PairDataset.of(ds).combineByKey(createCombiner, mergeValue, mergeCombiners, partitioner));
    }

    /** Groups the values of each key in each batch into a list. */
    public PairDStream<K, List<V>> groupByKey() {
        return groupByKey(context().engine().parallelism());
    }

    /** {@link #groupByKey()} into {@code numPartitions} partitions. */
    public PairDStream<K, List<V>> groupByKey(int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        return keyed(OperatorKind.GROUP_BY_KEY, ds -> PairDataset.of(ds).groupByKey(numPartitions));
    }

    /** Applies {@code f} to each value, keeping keys (and partitioning). */
    public <W> PairDStream<K, W> mapValues(MapFunction<? super V, ? extends W> f) {
        checkNotNull(f, "f");
        if (skipsBadRecords()) {
            RecordGuard.Operator op = node().graph().recordGuard().operator();
            return bound(op, keyed(OperatorKind.MAP_VALUES, ds -> PairDataset.of(ds).flatMapValues(op.mapToOne(f))));
        }
        return keyed(OperatorKind.MAP_VALUES, ds -> PairDataset.of(ds).mapValues(f));
    }

    /** Replaces each value by the values {@code f} returns for it. */
    public <W> PairDStream<K, W> flatMapValues(FlatMapFunction<? super V, ? extends W> f) {
        checkNotNull(f, "f");
        if (skipsBadRecords()) {
            RecordGuard.Operator op = node().graph().recordGuard().operator();
            return bound(op, keyed(OperatorKind.FLAT_MAP_VALUES, ds -> PairDataset.of(ds).flatMapValues(op.flatMap(f))));
        }
        return keyed(OperatorKind.FLAT_MAP_VALUES, ds -> PairDataset.of(ds).flatMapValues(f));
    }

    /** Returns a keyed stream of {@code f} applied to each batch's keyed dataset. */
    public <K2, V2> PairDStream<K2, V2> transformToPair(TransformFunction<Pair<K, V>, Pair<K2, V2>> f) {
        checkNotNull(f, "f");
        return pairs(new TransformedDStream<Pair<K, V>, Pair<K2, V2>>(node(), OperatorKind.TRANSFORM_TO_PAIR,
                (ds, t) -> f.call(ds)));
    }

    // ---------------------------------------------------------------- joins per batch

    /** Joins each batch with {@code other}'s batch of the same time: {@code (k, (v, w))} per matching pair. */
    public <W> PairDStream<K, Pair<V, W>> join(PairDStream<K, W> other) {
        Partitioner p = defaultPartitioner();
        return combine(other, OperatorKind.JOIN, (a, b) -> a.join(b, p));
    }

    /** Left outer join per batch. */
    public <W> PairDStream<K, Pair<V, Optional<W>>> leftOuterJoin(PairDStream<K, W> other) {
        return combine(other, OperatorKind.LEFT_OUTER_JOIN, PairDataset::leftOuterJoin);
    }

    /** Right outer join per batch. */
    public <W> PairDStream<K, Pair<Optional<V>, W>> rightOuterJoin(PairDStream<K, W> other) {
        return combine(other, OperatorKind.RIGHT_OUTER_JOIN, PairDataset::rightOuterJoin);
    }

    /** Full outer join per batch. */
    public <W> PairDStream<K, Pair<Optional<V>, Optional<W>>> fullOuterJoin(PairDStream<K, W> other) {
        return combine(other, OperatorKind.FULL_OUTER_JOIN, PairDataset::fullOuterJoin);
    }

    /** Groups both streams' values per key, per batch. */
    public <W> PairDStream<K, Pair<List<V>, List<W>>> cogroup(PairDStream<K, W> other) {
        Partitioner p = defaultPartitioner();
        return combine(other, OperatorKind.COGROUP, (a, b) -> a.cogroup(b, p));
    }

    private interface KeyedCombiner<K, V, W, R> extends java.io.Serializable {
        PairDataset<K, R> apply(PairDataset<K, V> left, PairDataset<K, W> right) throws Exception;
    }

    private <W, R> PairDStream<K, R> combine(PairDStream<K, W> other, OperatorKind kind,
                                             KeyedCombiner<K, V, W, R> f) {
        checkNotNull(other, "other");
        return pairs(new CombinedDStream<Pair<K, V>, Pair<K, W>, Pair<K, R>>(node(), other.node(), kind,
                (a, b, t) -> f.apply(PairDataset.of(a), PairDataset.of(b))));
    }

    // ---------------------------------------------------------------- windows (see the window package)

    /**
     * Merges the values of each key over the last {@code length}, at every batch; see
     * {@link #reduceByKeyAndWindow(ReduceFunction, Duration, Duration, int)}.
     *
     * @throws IllegalArgumentException if {@code length} is not a positive multiple of this stream's slide
     */
    public PairDStream<K, V> reduceByKeyAndWindow(ReduceFunction<V> f, Duration length) {
        return reduceByKeyAndWindow(f, length, slideDuration());
    }

    /**
     * Merges the values of each key over windows of {@code length} every {@code slide}; see
     * {@link #reduceByKeyAndWindow(ReduceFunction, Duration, Duration, int)}.
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide
     */
    public PairDStream<K, V> reduceByKeyAndWindow(ReduceFunction<V> f, Duration length, Duration slide) {
        return reduceByKeyAndWindow(f, length, slide, context().engine().parallelism());
    }

    /**
     * Returns, at each multiple of {@code slide}, the values of each key in the batches of the
     * last {@code length} merged with {@code f} (associative and commutative). Each batch is
     * reduced once (combining on the map side) into {@code numPartitions} hash partitions and
     * kept while a window needs it; each window merges its batches partition by partition, with
     * no further shuffle. No checkpoint is needed; with an inverse function, long windows that
     * slide often cost less (see the overload with {@code invF}).
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide, or {@code numPartitions <= 0}
     */
    public PairDStream<K, V> reduceByKeyAndWindow(ReduceFunction<V> f, Duration length, Duration slide,
                                                  int numPartitions) {
        checkNotNull(f, "f");
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        Window window = Window.of("reduceByKeyAndWindow", node(), length, slide);
        Partitioner p = new HashPartitioner(numPartitions);
        PairDStream<K, V> perBatch = keyed(OperatorKind.REDUCE_BY_KEY, ds -> PairDataset.of(ds).reduceByKey(f, p))
                .setName("reduceByKeyAndWindow per batch");
        return pairs(new KeyedWindowDStream<>(perBatch.node(), window, f, p));
    }

    /**
     * {@link #reduceByKeyAndWindow(ReduceFunction, ReduceFunction, Duration, Duration, int,
     * FilterFunction)} into the engine's parallelism, keeping every key.
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide
     */
    public PairDStream<K, V> reduceByKeyAndWindow(ReduceFunction<V> f, ReduceFunction<V> invF, Duration length,
                                                  Duration slide) {
        checkNotNull(f, "f");
        checkNotNull(invF, "invF");
        Window window = Window.of("reduceByKeyAndWindow", node(), length, slide);
        return reduceByKeyAndWindow(f, invF, window, defaultPartitioner(), null, "reduceByKeyAndWindow");
    }

    /**
     * Returns, at each multiple of {@code slide}, the values of each key over the last
     * {@code length} merged with {@code f}, computed incrementally: the window at {@code t} is
     * the window at {@code t - slide}, with the batches that entered reduced in by {@code f} and
     * those that left reduced out by the inverse {@code invF} (for which
     * {@code invF(f(a, b), b) = a}, such as {@code (a, b) -> a - b} for a sum); then only the
     * entries for which {@code filter} returns true are kept. The cost of a slide depends on the
     * batches that enter and leave and the keys carried, not on the window's length.
     *
     * <p><b>Keys whose value is back to the identity stay.</b> A key whose values all left the
     * window stays in the result with the identity value (a count of 0) until {@code filter}
     * drops it; without a filter such keys pile up. Use {@code kv -> kv.value() != 0} for counts
     * and sums. The filter must keep every key that still has values in the window, or a later
     * slide fails when those values leave.
     *
     * <p>Each result depends on the previous one, so the stream checkpoints its results: every
     * {@link #checkpoint(Duration) checkpoint interval}, by default the smallest multiple of the
     * slide that is at least 10 seconds. The context needs a checkpoint directory. Every slide
     * uses the same {@code numPartitions} hash partitioning, so the carried result is never
     * shuffled; each batch is reduced once, combining on the map side, and kept in memory until it
     * leaves the window; results are kept in memory for the next slide.
     *
     * <pre>{@code
     * PairDStream<String, Long> counts = words.mapToPair(w -> Pair.of(w, 1L))
     *         .reduceByKeyAndWindow(Long::sum, (a, b) -> a - b, Duration.ofSeconds(30),
     *                 Duration.ofSeconds(5), 4, kv -> kv.value() != 0L);
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide, or {@code numPartitions <= 0};
     *                                  {@link StreamingContext#start()} throws
     *                                  {@link IllegalStateException} if the context has no
     *                                  checkpoint directory
     */
    public PairDStream<K, V> reduceByKeyAndWindow(ReduceFunction<V> f, ReduceFunction<V> invF, Duration length,
                                                  Duration slide, int numPartitions,
                                                  FilterFunction<? super Pair<K, V>> filter) {
        checkNotNull(f, "f");
        checkNotNull(invF, "invF");
        checkNotNull(filter, "filter");
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        Window window = Window.of("reduceByKeyAndWindow", node(), length, slide);
        return reduceByKeyAndWindow(f, invF, window, new HashPartitioner(numPartitions), filter,
                "reduceByKeyAndWindow");
    }

    /** The incremental window behind the public overloads; {@code filter} may be null (keep all). */
    PairDStream<K, V> reduceByKeyAndWindow(ReduceFunction<V> f, ReduceFunction<V> invF, Window window,
                                           Partitioner partitioner, FilterFunction<? super Pair<K, V>> filter,
                                           String operation) {
        PairDStream<K, V> perBatch = keyed(OperatorKind.REDUCE_BY_KEY,
                ds -> PairDataset.of(ds).reduceByKey(f, partitioner)).setName(operation + " per batch");
        ReducedWindowedDStream<K, V> windowed = new ReducedWindowedDStream<>(perBatch.node(), window, f, invF,
                partitioner, filter);
        windowed.setName(operation);
        return pairs(windowed);
    }

    /**
     * Groups the values of each key over the last {@code length}, at every batch; see
     * {@link #groupByKeyAndWindow(Duration, Duration)}.
     *
     * @throws IllegalArgumentException if {@code length} is not a positive multiple of this stream's slide
     */
    public PairDStream<K, List<V>> groupByKeyAndWindow(Duration length) {
        return groupByKeyAndWindow(length, slideDuration());
    }

    /**
     * Returns, at each multiple of {@code slide}, the values of each key in the batches of the
     * last {@code length} as a list, batch by batch in time order. Each batch is grouped once
     * into the engine's parallelism and kept while a window needs it; a window concatenates its
     * batches' groups partition by partition, with no further shuffle.
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide
     */
    public PairDStream<K, List<V>> groupByKeyAndWindow(Duration length, Duration slide) {
        Window window = Window.of("groupByKeyAndWindow", node(), length, slide);
        Partitioner p = defaultPartitioner();
        PairDStream<K, List<V>> perBatch = keyed(OperatorKind.GROUP_BY_KEY, ds -> PairDataset.of(ds).groupByKey(p))
                .setName("groupByKeyAndWindow per batch");
        KeyedWindowDStream<K, List<V>> windowed = KeyedWindowDStream.grouping(perBatch.node(), window, p);
        windowed.setName("groupByKeyAndWindow");
        return pairs(windowed);
    }


    // ---------------------------------------------------------------- state (see the state package)

    /**
     * Returns a keyed stream of each key's state after each batch: {@code f} is called for every
     * key that has new values or state, with an empty list when the key had no values in the
     * batch; returning {@link Optional#empty()} removes the key. Each batch costs the whole state;
     * see {@link #mapWithState} for state that scales.
     *
     * <p>The state is partitioned by the default partitioner (hash, engine parallelism) and must be
     * checkpointed: the context needs a checkpoint directory, and the state is checkpointed every
     * multiple of the slide of at least 10 s unless {@link #checkpoint(Duration)} says otherwise.
     *
     * @throws IllegalStateException at {@code start()} if the context has no checkpoint directory
     */
    public <S> PairDStream<K, S> updateStateByKey(UpdateStateFunction<V, S> f) {
        return updateStateByKey(f, defaultPartitioner());
    }

    /** {@link #updateStateByKey(UpdateStateFunction)} with state in {@code numPartitions} partitions. */
    public <S> PairDStream<K, S> updateStateByKey(UpdateStateFunction<V, S> f, int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        return updateStateByKey(f, new HashPartitioner(numPartitions));
    }

    /** {@link #updateStateByKey(UpdateStateFunction)} with state partitioned by {@code partitioner}. */
    public <S> PairDStream<K, S> updateStateByKey(UpdateStateFunction<V, S> f, Partitioner partitioner) {
        checkNotNull(f, "f");
        checkNotNull(partitioner, "partitioner");
        return pairs(new StateDStream<K, V, S>(node(), f, partitioner, null));
    }

    /**
     * {@link #updateStateByKey(UpdateStateFunction)} with state partitioned by {@code partitioner},
     * starting from {@code initialState} (one pair per key) instead of empty.
     */
    public <S> PairDStream<K, S> updateStateByKey(UpdateStateFunction<V, S> f, Partitioner partitioner,
                                                  Dataset<Pair<K, S>> initialState) {
        checkNotNull(f, "f");
        checkNotNull(partitioner, "partitioner");
        checkNotNull(initialState, "initialState");
        return pairs(new StateDStream<K, V, S>(node(), f, partitioner, initialState));
    }

    /**
     * Returns a stream of what {@code spec}'s function returns for each record, given and
     * changing the record's key's {@link State}; see {@link StateSpec} for initial state,
     * partitioning and timeouts, and {@link MapWithStateDStream#stateSnapshots()} for the state.
     * A batch costs in proportion to the keys it touches (plus a scan of all keys if a timeout is
     * set), not to the whole state.
     *
     * <p>The state must be checkpointed: the context needs a checkpoint directory; the interval
     * is the smallest multiple of the slide of at least 10 s unless
     * {@link MapWithStateDStream#checkpoint(Duration)} says otherwise.
     *
     * @throws IllegalStateException at {@code start()} if the context has no checkpoint directory
     */
    public <S, R> MapWithStateDStream<K, V, S, R> mapWithState(StateSpec<K, V, S, R> spec) {
        checkNotNull(spec, "spec");
        Partitioner partitioner = spec.partitioner().orElseGet(this::defaultPartitioner);
        return new MapWithStateDStream<>(context(), new MapWithStateRecordDStream<>(node(), spec, partitioner));
    }
}
