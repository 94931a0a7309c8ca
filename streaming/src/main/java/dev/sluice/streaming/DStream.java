package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.HashPartitioner;
import dev.sluice.core.Pair;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.function.FilterFunction;
import dev.sluice.core.function.FlatMapFunction;
import dev.sluice.core.function.MapFunction;
import dev.sluice.core.function.MapMultiFunction;
import dev.sluice.core.function.MapPartitionsFunction;
import dev.sluice.core.function.PairFunction;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.DatasetTransform;
import dev.sluice.streaming.dstream.Gather;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.RecordGuard;
import dev.sluice.streaming.dstream.Slices;
import dev.sluice.streaming.dstream.CombinedDStream;
import dev.sluice.streaming.function.TransformWithFunction;
import dev.sluice.streaming.dstream.OutputDStream;
import dev.sluice.streaming.output.TransactionalOutput;
import dev.sluice.streaming.dstream.Printout;
import dev.sluice.streaming.dstream.TextFilesOutput;
import dev.sluice.streaming.dstream.TransformedDStream;
import dev.sluice.streaming.dstream.UnionDStream;
import dev.sluice.streaming.function.ForeachBatchFunction;
import dev.sluice.streaming.function.OutputBatchFunction;
import dev.sluice.streaming.function.TimedTransformFunction;
import dev.sluice.streaming.function.TransformFunction;
import dev.sluice.streaming.window.Window;
import dev.sluice.streaming.window.WindowedDStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A discretized stream: a sequence of {@link Dataset}s, one per slide of the stream (for most
 * streams, one per batch interval). Transformations return new streams and run nothing; output
 * operations ({@link #print}, {@link #foreachBatch}, {@link #saveAsTextFiles}) register a job
 * that runs once per batch after {@link StreamingContext#start()}.
 *
 * <p>A stream is a handle on one node of the context's stream graph; the node builds the dataset
 * of each batch time from its parents' datasets of that time, so every batch's work is an
 * ordinary lineage-tracked batch job. Several handles may share a node: {@link PairDStream#of}
 * views a stream of pairs as a keyed stream without adding a node, and settings made through
 * either handle ({@link #persist}, {@link #checkpoint}, {@link #setName}) are the node's.
 *
 * <p>Thread-safety: build the pipeline on one thread before {@code start()}; after it, the
 * engine's generator and job threads use the nodes, and handles only read them.
 *
 * @param <T> the element type
 */
public class DStream<T> {
    private final StreamingContext context;
    private final DStreamNode<T> node;

    /** Makes a handle on {@code node} of {@code context}'s graph. */
    DStream(StreamingContext context, DStreamNode<T> node) {
        this.context = context;
        this.node = node;
    }

    /** Returns the node this handle is on; for this package and its tests. */
    DStreamNode<T> node() {
        return node;
    }

    // ---------------------------------------------------------------- identity

    /** Returns the context this stream belongs to. */
    public StreamingContext context() {
        return context;
    }

    /** Returns this stream's id, unique within its context: the order in which streams were defined. */
    public int id() {
        return node.id();
    }

    /** Returns the name given with {@link #setName}, or the name of the operation that made the stream. */
    public String name() {
        return node.name();
    }

    /** Names this stream, for logs and error messages; returns this stream. */
    public DStream<T> setName(String newName) {
        node.setName(newName);
        return this;
    }

    /**
     * Gives this stream the stable identity {@code uid}, by which a checkpoint records its state
     * (stateful and windowed streams) or its input: recovery matches operators of the new program
     * to the checkpoint by uid, so a renamed or moved operator keeps its state. Streams without
     * one that need one get a uid derived from their kind and position among the stateful,
     * windowed and input streams (adding or removing a stateless operator does not change it);
     * {@code setName} is for display only. Returns this stream.
     *
     * @throws IllegalArgumentException if {@code uid} is blank or contains '#'
     */
    public DStream<T> uid(String uid) {
        checkNotNull(uid, "uid");
        context.checkCanAddOperation();
        identityNode().setUid(uid);
        return this;
    }

    /** Returns the node a uid names: this stream's, or for a stream derived from one state node, that node. */
    DStreamNode<?> identityNode() {
        return node;
    }

    @Override
    public String toString() {
        return node.toString();
    }

    // ---------------------------------------------------------------- what the stream is

    /** Returns the interval at which this stream produces a dataset. */
    public Duration slideDuration() {
        return node.slideDuration();
    }

    /** Returns the streams this one reads. */
    public List<DStream<?>> dependencies() {
        List<DStream<?>> out = new ArrayList<>();
        for (DStreamNode<?> parent : node.parents()) {
            out.add(new DStream<>(context, parent));
        }
        return out;
    }

    /** Returns the batch times this stream currently keeps datasets for, oldest first. */
    public List<Time> rememberedTimes() {
        return node.rememberedTimes();
    }

    /** Returns how long this stream keeps its datasets (known once the context has started). */
    public Duration rememberDuration() {
        return node.rememberDuration();
    }

    // ---------------------------------------------------------------- persistence and checkpoints

    /** Persists every dataset of this stream at {@code level}; returns this stream. */
    public DStream<T> persist(StorageLevel level) {
        checkNotNull(level, "level");
        context.checkCanAddOperation();
        node.persist(level);
        return this;
    }

    /** Persists every dataset of this stream in memory; returns this stream. */
    public DStream<T> cache() {
        return persist(StorageLevel.MEMORY);
    }

    /** Returns the storage level of this stream's datasets. */
    public StorageLevel storageLevel() {
        return node.storageLevel();
    }

    /**
     * Checkpoints this stream's dataset every {@code interval}, cutting its lineage.
     *
     * @throws IllegalArgumentException if {@code interval} is not a positive multiple of the slide
     */
    public DStream<T> checkpoint(Duration interval) {
        checkNotNull(interval, "interval");
        context.checkCanAddOperation();
        node.checkpoint(interval);
        return this;
    }

    /** Returns the checkpoint interval, if this stream checkpoints. */
    public Optional<Duration> checkpointInterval() {
        return node.checkpointInterval();
    }

    // ---------------------------------------------------------------- making handles

    /** Returns a handle on {@code newNode}, a node of this stream's context. */
    <R> DStream<R> stream(DStreamNode<R> newNode) {
        return new DStream<>(context, newNode);
    }

    /** Returns a keyed handle on {@code newNode}, a node of this stream's context. */
    <K, V> PairDStream<K, V> pairs(DStreamNode<Pair<K, V>> newNode) {
        return new PairDStream<>(context, newNode);
    }

    /** Returns true under {@code BadRecordPolicy.SKIP}: element-wise functions are then wrapped to skip what they throw on. */
    boolean skipsBadRecords() {
        return node.graph().recordGuard().skips();
    }

    /** Binds {@code op} to the node of {@code stream} and returns the stream. */
    static <S extends DStream<?>> S bound(RecordGuard.Operator op, S stream) {
        op.bind(stream.node());
        return stream;
    }

    /** Returns the stream of the per-batch transformation {@code f}, of kind {@code kind}, of this stream. */
    private <R> DStream<R> transformed(OperatorKind kind, DatasetTransform<T, R> f) {
        return stream(new TransformedDStream<>(node, kind, f));
    }

    // ---------------------------------------------------------------- transformations

    /** Returns a stream of {@code f} applied to each element. */
    public <R> DStream<R> map(MapFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        if (skipsBadRecords()) {
            RecordGuard.Operator op = node.graph().recordGuard().operator();
            return bound(op, transformed(OperatorKind.MAP, (ds, t) -> ds.mapMulti(op.map(f))));
        }
        return transformed(OperatorKind.MAP, (ds, t) -> ds.map(f));
    }

    /** Returns a stream of the elements for which {@code f} returns true. */
    public DStream<T> filter(FilterFunction<? super T> f) {
        checkNotNull(f, "f");
        if (skipsBadRecords()) {
            RecordGuard.Operator op = node.graph().recordGuard().operator();
            return bound(op, transformed(OperatorKind.FILTER, (ds, t) -> ds.filter(op.filter(f))));
        }
        return transformed(OperatorKind.FILTER, (ds, t) -> ds.filter(f));
    }

    /** Returns a stream of the elements of the iterables {@code f} returns. */
    public <R> DStream<R> flatMap(FlatMapFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        if (skipsBadRecords()) {
            RecordGuard.Operator op = node.graph().recordGuard().operator();
            return bound(op, transformed(OperatorKind.FLAT_MAP, (ds, t) -> ds.flatMap(op.flatMap(f))));
        }
        return transformed(OperatorKind.FLAT_MAP, (ds, t) -> ds.flatMap(f));
    }

    /** Returns a stream of what {@code f} emits per element into its consumer; no collection per element. */
    public <R> DStream<R> mapMulti(MapMultiFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        if (skipsBadRecords()) {
            RecordGuard.Operator op = node.graph().recordGuard().operator();
            return bound(op, transformed(OperatorKind.MAP_MULTI, (ds, t) -> ds.mapMulti(op.mapMulti(f))));
        }
        return transformed(OperatorKind.MAP_MULTI, (ds, t) -> ds.mapMulti(f));
    }

    /** Returns a stream of {@code f} applied to each partition's iterator. */
    public <R> DStream<R> mapPartitions(MapPartitionsFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return transformed(OperatorKind.MAP_PARTITIONS, (ds, t) -> ds.mapPartitions(f));
    }

    /** Returns a keyed stream of the pairs {@code f} makes of each element. */
    public <K, V> PairDStream<K, V> mapToPair(PairFunction<? super T, ? extends K, ? extends V> f) {
        checkNotNull(f, "f");
        if (skipsBadRecords()) {
            RecordGuard.Operator op = node.graph().recordGuard().operator();
            PairDStream<K, V> out = pairs(new TransformedDStream<T, Pair<K, V>>(node, OperatorKind.MAP_TO_PAIR,
                    (ds, t) -> ds.mapMulti(op.<T, K, V>mapToPair(f))));
            op.bind(out.node());
            return out;
        }
        return pairs(new TransformedDStream<T, Pair<K, V>>(node, OperatorKind.MAP_TO_PAIR, (ds, t) -> ds.mapToPair(f)));
    }

    /**
     * Returns the union of this stream and {@code other}, which must have the same slide.
     *
     * @throws IllegalArgumentException if the slides differ
     */
    public DStream<T> union(DStream<T> other) {
        checkNotNull(other, "other");
        return stream(new UnionDStream<>(List.of(node, other.node)));
    }

    /** Returns a stream whose datasets are shuffled into {@code numPartitions} even partitions. */
    public DStream<T> repartition(int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        return transformed(OperatorKind.REPARTITION, (ds, t) -> ds.repartition(numPartitions));
    }

    /** Returns a stream with one element per batch: the number of elements (0 for an empty batch). */
    public DStream<Long> count() {
        return transformed(OperatorKind.COUNT, (ds, t) -> Gather.count(ds));
    }

    /** Returns a keyed stream of each distinct element and its number of occurrences per batch. */
    public PairDStream<T, Long> countByValue() {
        return mapToPair(t -> Pair.of(t, 1L)).reduceByKey(Long::sum).setName("countByValue");
    }

    /** Returns a stream with one element per non-empty batch: all elements combined with {@code f}. */
    public DStream<T> reduce(ReduceFunction<T> f) {
        checkNotNull(f, "f");
        return transformed(OperatorKind.REDUCE, (ds, t) -> Gather.reduce(ds, f));
    }

    /** Returns a stream of {@code f} applied to each batch's dataset. */
    public <R> DStream<R> transform(TransformFunction<T, R> f) {
        checkNotNull(f, "f");
        return transformed(OperatorKind.TRANSFORM, (ds, t) -> f.call(ds));
    }

    /** Returns a stream of {@code f} applied to each batch's dataset and time. */
    public <R> DStream<R> transform(TimedTransformFunction<T, R> f) {
        checkNotNull(f, "f");
        return transformed(OperatorKind.TRANSFORM, f::call);
    }

    /**
     * Returns the stream whose dataset at each batch is {@code f} of this stream's and {@code
     * other}'s datasets of that batch, and its time: a per-batch operation of two streams, such
     * as a join with a dataset computed from another stream. The streams must have the same slide.
     *
     * @throws IllegalArgumentException if the slides differ or {@code other} belongs to another context
     */
    public <U, R> DStream<R> transformWith(DStream<U> other, TransformWithFunction<T, U, R> f) {
        checkNotNull(other, "other");
        checkNotNull(f, "f");
        return stream(new CombinedDStream<T, U, R>(node, other.node(), OperatorKind.TRANSFORM_WITH, f::call));
    }

    /**
     * Returns the datasets of this stream's batches from {@code from} to {@code to} (both
     * included; {@code from} rounds up and {@code to} down to a batch time of this stream's
     * slide), oldest first, for ad-hoc queries over recent data. Only remembered batches can be
     * sliced: a stream remembers what its children need, at least one slide, and at least what
     * {@link StreamingContext#remember(Duration)} asked for. Never computes a batch.
     *
     * @throws IllegalStateException if the context has not started
     * @throws IllegalArgumentException if {@code from} is after {@code to}, or a batch in between
     *                                  is not remembered (forgotten or not generated yet); the
     *                                  message names the requested and the remembered times
     */
    public List<Dataset<T>> slice(Time from, Time to) {
        return Slices.slice(node, from, to);
    }

    /** Returns a keyed stream of {@code f} applied to each batch's dataset. */
    public <K, V> PairDStream<K, V> transformToPair(TransformFunction<T, Pair<K, V>> f) {
        checkNotNull(f, "f");
        return pairs(new TransformedDStream<T, Pair<K, V>>(node, OperatorKind.TRANSFORM_TO_PAIR, (ds, t) -> f.call(ds)));
    }

    // ---------------------------------------------------------------- output operations

    /**
     * Calls {@code f} with each batch's dataset and time: the general output operation. With a
     * checkpoint directory, a batch for which {@code f} returned is recorded in this output's commit
     * log, and not run again if it is replayed after a crash (see {@link OutputOperation}); use
     * {@link #foreachBatchWithId} to write idempotently across the crash window that is left.
     * Returns the output's handle.
     */
    public OutputOperation foreachBatch(ForeachBatchFunction<T> f) {
        checkNotNull(f, "f");
        return output(new OutputDStream<>(node, OperatorKind.FOREACH_BATCH, OutputDStream.timed(f)));
    }

    /**
     * Like {@link #foreachBatch}, but {@code f} gets the batch's {@link OutputBatch}: its stable id
     * (the batch time in ms, the same across restarts and upgrades) and whether the batch is a
     * replay of one a crashed run began, so {@code f} can store the id with its data and skip ids
     * already applied. Returns the output's handle.
     */
    public OutputOperation foreachBatchWithId(OutputBatchFunction<T> f) {
        checkNotNull(f, "f");
        return output(new OutputDStream<T>(node, OperatorKind.FOREACH_BATCH, f::call));
    }

    /**
     * Writes each batch through {@code sink}'s commit protocol (see {@link TransactionalSink}):
     * {@code isCommitted}, {@code begin}, one {@code writePartition} task per partition (retried like
     * any task), {@code commit}, then this output's commit log; {@code abort} if a step fails.
     * {@code open} is called at start with the output's uid, {@code close} at stop. Returns the
     * output's handle; give it a stable {@code uid}.
     */
    public OutputOperation writeTransactionally(TransactionalSink<T> sink) {
        return transactional(OperatorKind.WRITE_TRANSACTIONALLY, checkNotNull(sink, "sink"));
    }

    private OutputOperation transactional(OperatorKind kind, TransactionalSink<T> sink) {
        TransactionalOutput<T> driver = new TransactionalOutput<>(sink, node.graph()::isAbandoned);
        return output(new OutputDStream<T>(node, kind, new OutputDStream.Action<T>() {
            @Override
            public void run(Dataset<T> dataset, OutputBatch batch) throws Exception {
                driver.write(dataset, batch);
            }

            @Override
            public void open(String uid) throws Exception {
                driver.open(OutputContext.of(uid, context.engine()));
            }

            @Override
            public void close() throws Exception {
                driver.close();
            }
        }));
    }

    /** Prints the first 10 elements of each batch to standard output; see {@link #print(int)}. */
    public OutputOperation print() {
        return print(10);
    }

    /**
     * Prints the first {@code n} elements of each batch to standard output: a line of dashes,
     * {@code Time: <ms> ms}, dashes again, the elements one per line, {@code ...} if there were
     * more, and an empty line. At-least-once: a batch replayed after a crash prints again.
     */
    public OutputOperation print(int n) {
        checkArgument(n > 0, "n must be > 0, got %s", n);
        OutputDStream<T> out = new OutputDStream<T>(node, OperatorKind.PRINT,
                (ds, batch) -> System.out.print(Printout.of(ds.take(n + 1), n, batch.time())));
        out.atLeastOnce();
        return output(out);
    }

    /**
     * Writes each batch as text files {@code prefix-<batch ms>.suffix/part-<partition>-<unique>}
     * (no dot if {@code suffix} is empty; an empty partition writes no file, an empty batch no
     * directory), on any Hadoop FileSystem, and commits each batch through a manifest next to the
     * directories, {@code _manifest-<last part of prefix>[.suffix]}: the same protocol as
     * {@link ManifestFileSink}, so readers through {@link ManifestFiles#ofTextFiles} see every
     * batch exactly once, on any store. A replayed batch is skipped if this output's commit log or
     * manifest records it; otherwise the crashed run's uncommitted files of that batch are deleted
     * and it is written again. A directory or file of the same name that the manifest does not
     * name (an unrelated earlier run) never makes a batch skip, and is never read through the
     * manifest. Returns the output's handle.
     */
    public OutputOperation saveAsTextFiles(String prefix, String suffix) {
        checkNotNull(prefix, "prefix");
        checkNotNull(suffix, "suffix");
        TextFilesOutput layout = TextFilesOutput.of(prefix, suffix);
        return transactional(OperatorKind.SAVE_AS_TEXT_FILES, ManifestFileSink.of(layout.toString(), layout));
    }

    private OutputOperation output(OutputDStream<T> out) {
        return new OutputOperation(context, out);
    }

    // ---------------------------------------------------------------- windows (see the window package)

    /**
     * Returns a stream whose dataset at each batch is the union of this stream's datasets in the
     * last {@code length}; see {@link #window(Duration, Duration)}.
     *
     * @throws IllegalArgumentException if {@code length} is not a positive multiple of this stream's slide
     */
    public DStream<T> window(Duration length) {
        return window(length, slideDuration());
    }

    /**
     * Returns a stream whose dataset at time {@code t} is the union of this stream's datasets of
     * the times in {@code (t - length, t]}, produced only at multiples of {@code slide}. The first
     * windows, before {@code length} has passed since the start, hold the batches there are.
     * Lazy, like every transformation; when windows overlap, this stream's datasets are persisted
     * in memory (unless a level was set) and kept as long as a window needs them.
     *
     * <pre>{@code
     * DStream<String> lastMinute = lines.window(Duration.ofMinutes(1), Duration.ofSeconds(10));
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide
     */
    public DStream<T> window(Duration length, Duration slide) {
        return stream(new WindowedDStream<>(node, Window.of("window", node, length, slide)));
    }

    /**
     * Returns a stream with one element per window that has any: all its elements combined with
     * {@code f} (associative and commutative). Each batch is reduced once, then the window's
     * per-batch results; no checkpoint is needed.
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide
     */
    public DStream<T> reduceByWindow(ReduceFunction<T> f, Duration length, Duration slide) {
        checkNotNull(f, "f");
        Window window = Window.of("reduceByWindow", node, length, slide);
        WindowedDStream<T> windowed = new WindowedDStream<>(reduce(f).node, window);
        windowed.setName("reduceByWindow");
        return stream(windowed).reduce(f).setName("reduceByWindow");
    }

    /**
     * Returns a stream with one element per window: the window's elements combined with
     * {@code f}, computed incrementally from the previous window with the inverse {@code invF}
     * (for which {@code invF(f(a, b), b) = a}). Once the stream has seen an element, a window
     * whose elements have all left holds the identity (such as 0), not nothing. Needs a
     * checkpoint directory; see {@link PairDStream#reduceByKeyAndWindow(ReduceFunction,
     * ReduceFunction, Duration, Duration, int, FilterFunction)}.
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide
     */
    public DStream<T> reduceByWindow(ReduceFunction<T> f, ReduceFunction<T> invF, Duration length, Duration slide) {
        checkNotNull(f, "f");
        checkNotNull(invF, "invF");
        Window window = Window.of("reduceByWindow", node, length, slide);
        PairDStream<Boolean, T> keyed = mapToPair(t -> Pair.of(Boolean.TRUE, t));
        return keyed.reduceByKeyAndWindow(f, invF, window, new HashPartitioner(1), null, "reduceByWindow")
                .map(Pair::value).setName("reduceByWindow");
    }

    /**
     * Returns a stream with one element per window: its number of elements (0 for an empty
     * window). Counts each batch once and sums the window's counts; no checkpoint is needed.
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide
     */
    public DStream<Long> countByWindow(Duration length, Duration slide) {
        Window window = Window.of("countByWindow", node, length, slide);
        WindowedDStream<Long> windowed = new WindowedDStream<>(count().node, window);
        windowed.setName("countByWindow");
        return stream(windowed).reduce(Long::sum).setName("countByWindow");
    }

    /**
     * Returns a keyed stream of each distinct element of the window and its number of
     * occurrences there, computed incrementally (elements that left the window are subtracted,
     * and counts back to zero are dropped). Needs a checkpoint directory, like
     * {@link PairDStream#reduceByKeyAndWindow(ReduceFunction, ReduceFunction, Duration, Duration,
     * int, FilterFunction)}.
     *
     * @throws IllegalArgumentException if {@code length} or {@code slide} is not a positive
     *                                  multiple of this stream's slide
     */
    public PairDStream<T, Long> countByValueAndWindow(Duration length, Duration slide) {
        Window window = Window.of("countByValueAndWindow", node, length, slide);
        PairDStream<T, Long> ones = mapToPair(t -> Pair.of(t, 1L));
        return ones.reduceByKeyAndWindow(Long::sum, (a, b) -> a - b, window, ones.defaultPartitioner(),
                kv -> kv.value() != 0L, "countByValueAndWindow");
    }
}
