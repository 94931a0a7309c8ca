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
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.dstream.Batches;
import dev.sluice.streaming.dstream.Durations;
import dev.sluice.streaming.dstream.ForEachDStream;
import dev.sluice.streaming.dstream.TransformedDStream;
import dev.sluice.streaming.dstream.UnionDStream;
import dev.sluice.streaming.function.ForeachBatchFunction;
import dev.sluice.streaming.function.TimedTransformFunction;
import dev.sluice.streaming.function.TransformFunction;
import dev.sluice.streaming.window.Window;
import dev.sluice.streaming.window.WindowedDStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A discretized stream: a sequence of {@link Dataset}s, one per slide of the stream (for most
 * streams, one per batch interval). Transformations return new streams and run nothing; output
 * operations ({@link #print}, {@link #foreachBatch}, {@link #saveAsTextFiles}) register a job
 * that runs once per batch after {@link StreamingContext#start()}.
 *
 * <p>A stream is a function from batch time to dataset: {@link #datasetAt(Time)} builds the
 * dataset of a time from the parents' datasets of that time (memoized per time), so every
 * batch's work is an ordinary lineage-tracked batch job.
 *
 * <p>Thread-safety: build the pipeline on one thread before {@code start()}; after it, streams are
 * used by the engine's generator and job threads only.
 *
 * @param <T> the element type
 */
public abstract class DStream<T> {
    private static final Logger log = LoggerFactory.getLogger(DStream.class);

    private final StreamingContext context;
    private final int id;
    private volatile String name;
    private final Map<Time, Dataset<T>> generated = new ConcurrentSkipListMap<>();
    private volatile Duration rememberDuration;
    private volatile Duration checkpointInterval;
    private volatile StorageLevel storageLevel = StorageLevel.NONE;
    private volatile Time zeroTime;
    private volatile Duration childRemember;
    /** Checkpoint directories of forgotten datasets, by batch time; only the job thread touches it. */
    private final java.util.TreeMap<Time, String> forgottenCheckpoints = new java.util.TreeMap<>();
    /** Remembered times whose cached dataset already released its stage's shuffle outputs. */
    private final java.util.Set<Time> shufflesReleased = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Creates a stream of {@code context}.
     *
     * @throws IllegalStateException if the context has already started
     */
    protected DStream(StreamingContext context) {
        this.context = checkNotNull(context, "context");
        context.checkCanAddOperation();
        this.id = context.runtime().graph().register(this);
    }

    // ---------------------------------------------------------------- what subclasses provide

    /** Returns the interval at which this stream produces a dataset. */
    public abstract Duration slideDuration();

    /** Returns the streams this one reads. */
    public abstract List<DStream<?>> dependencies();

    /** Builds the dataset of {@code time} (a valid time of this stream) from the parents'. */
    protected abstract Optional<Dataset<T>> compute(Time time);

    /** Returns true if this stream cannot work without periodic checkpoints (state, inverse windows). */
    protected boolean mustCheckpoint() {
        return false;
    }

    /** Returns how long parents must keep their datasets for this stream (longer for windows). */
    protected Duration parentRememberDuration() {
        return rememberDuration();
    }

    // ---------------------------------------------------------------- identity

    /** Returns the context this stream belongs to. */
    public StreamingContext context() {
        return context;
    }

    /** Returns this stream's id, unique within its context. */
    public int id() {
        return id;
    }

    /** Returns the name given with {@link #setName}, or the operator's class name. */
    public String name() {
        String n = name;
        return n != null ? n : getClass().getSimpleName();
    }

    /** Names this stream, for logs and error messages; returns this stream. */
    public DStream<T> setName(String newName) {
        this.name = checkNotNull(newName, "name");
        return this;
    }

    @Override
    public String toString() {
        return "'" + name() + "' (stream " + id + ")";
    }

    // ---------------------------------------------------------------- per-time datasets

    /**
     * Returns the dataset of batch time {@code time}, building and remembering it on first use;
     * empty if this stream produces nothing at that time (not a multiple of its slide). Called by
     * the engine and by operators; users get datasets through {@link #foreachBatch} or
     * {@link #transform}.
     */
    public synchronized Optional<Dataset<T>> datasetAt(Time time) {
        Dataset<T> existing = generated.get(time);
        if (existing != null) {
            return Optional.of(existing);
        }
        if (!isTimeValid(time)) {
            return Optional.empty();
        }
        Optional<Dataset<T>> made = compute(time);
        made.ifPresent(ds -> {
            if (storageLevel != StorageLevel.NONE) {
                ds.persist(storageLevel);
            }
            Duration interval = checkpointInterval;
            if (interval != null && time.isMultipleOf(interval, zeroTime)) {
                ds.checkpoint();
                log.debug("batch {}: checkpointing dataset {} of stream {}", time.millis(), ds.id(), this);
            }
            generated.put(time, ds);
        });
        return made;
    }

    /** Returns true if {@code time} is after the start and a multiple of this stream's slide. */
    protected boolean isTimeValid(Time time) {
        Time zero = zeroTime;
        return zero != null && time.isAfter(zero) && time.isMultipleOf(slideDuration(), zero);
    }

    /** Returns the dataset of {@code time} if this stream still remembers it; never computes one. */
    protected final Optional<Dataset<T>> rememberedAt(Time time) {
        return Optional.ofNullable(generated.get(time));
    }

    /** Returns the zero time set at start: batch {@code k} is at {@code zeroTime + k * interval}. */
    public Time zeroTime() {
        return zeroTime;
    }

    /** Returns the times this stream currently remembers datasets for. */
    public List<Time> rememberedTimes() {
        return List.copyOf(generated.keySet());
    }

    /** Returns how long this stream keeps its datasets. */
    public Duration rememberDuration() {
        Duration d = rememberDuration;
        return d != null ? d : slideDuration();
    }

    /** Returns the checkpoint interval, if this stream checkpoints. */
    public Optional<Duration> checkpointInterval() {
        return Optional.ofNullable(checkpointInterval);
    }

    // ---------------------------------------------------------------- lifecycle (engine use)

    /** Checks this stream's settings before start; throws with a message saying how to fix them. */
    public void validateAtStart() {
        if (mustCheckpoint()) {
            if (context.engine().checkpointDir().isEmpty()) {
                throw new IllegalStateException(String.format("stream %s needs periodic checkpoints, but the context "
                        + "has no checkpoint directory; set one with StreamingContext.builder().checkpointDir(\"file:///path\")",
                        this));
            }
        }
        for (DStream<?> parent : dependencies()) {
            parent.validateAtStart();
        }
    }

    /** Sets the zero time and remember durations of this stream and its parents. */
    public void initialize(Time zero) {
        if (zeroTime != null && zeroTime.equals(zero)) {
            return;
        }
        zeroTime = zero;
        if (mustCheckpoint() && checkpointInterval == null) {
            checkpointInterval = Durations.defaultCheckpointInterval(slideDuration());
        }
        Duration minimum = slideDuration();
        if (checkpointInterval != null) {
            minimum = Durations.max(minimum, checkpointInterval.multipliedBy(2));
        }
        rememberAtLeast(minimum);
        for (DStream<?> parent : dependencies()) {
            parent.initialize(zero);
        }
        for (DStream<?> parent : dependencies()) {
            parent.remember(parentRememberDuration());
        }
    }

    /**
     * Makes this stream keep datasets for at least {@code duration}, and its parents accordingly;
     * called by child streams with how far back they read.
     */
    public void remember(Duration duration) {
        Duration asked = childRemember;
        if (asked == null || duration.compareTo(asked) > 0) {
            childRemember = duration;
        }
        rememberAtLeast(duration);
    }

    /** Returns how far back child streams read this stream's datasets (at least one slide). */
    protected Duration childRememberDuration() {
        Duration asked = childRemember;
        return asked != null ? Durations.max(asked, slideDuration()) : slideDuration();
    }

    private void rememberAtLeast(Duration duration) {
        Duration current = rememberDuration;
        if (current == null || duration.compareTo(current) > 0) {
            rememberDuration = duration;
            for (DStream<?> parent : dependencies()) {
                parent.remember(parentRememberDuration());
            }
        }
    }

    /**
     * Forgets the datasets older than the remember duration before {@code time}, unpersisting
     * them, and lets the parents do the same.
     */
    public void clearMetadata(Time time) {
        long oldest = time.millis() - rememberDuration().toMillis();
        List<Time> old = new ArrayList<>();
        for (Time t : generated.keySet()) {
            if (t.millis() <= oldest) {
                old.add(t);
            } else {
                break;
            }
        }
        for (Time t : old) {
            Dataset<T> ds = generated.remove(t);
            shufflesReleased.remove(t);
            // Only what this stream persisted: a view (PairDStream.of) shares its parent's datasets.
            if (ds != null && storageLevel != StorageLevel.NONE && ds.storageLevel() != StorageLevel.NONE) {
                ds.unpersist();
            }
            // Only the stream that checkpoints deletes: its remember duration covers its children's needs.
            if (ds != null && checkpointInterval != null) {
                ds.checkpointFile().ifPresent(dir -> forgottenCheckpoints.put(t, dir));
            }
            releaseBatch(t);
        }
        deleteOldCheckpoints(time);
        releaseShufflesOfCachedDatasets();
        for (DStream<?> parent : dependencies()) {
            parent.clearMetadata(time);
        }
    }

    /**
     * A dataset this stream persisted and that is now fully cached is read from the block store:
     * the shuffle outputs that fed its stage are not read again (if a block is lost, the scheduler
     * recomputes them from the remembered input), so they are cleared. A window keeps its whole
     * window of reduced batches cached, and without this each also kept its shuffle output.
     */
    private void releaseShufflesOfCachedDatasets() {
        if (storageLevel == StorageLevel.NONE) {
            return;
        }
        EngineServices services = EngineServices.of(context.engine());
        for (Map.Entry<Time, Dataset<T>> e : generated.entrySet()) {
            if (!shufflesReleased.contains(e.getKey()) && e.getValue().isFullyCached()) {
                services.releaseShuffleOutputs(e.getValue());
                shufflesReleased.add(e.getKey());
            }
        }
    }

    /**
     * Deletes the checkpoint files of forgotten datasets, except the newest: a remembered dataset
     * older than every remembered checkpoint still reads from that one (its lineage stops there),
     * while nothing reads from the older ones.
     */
    private void deleteOldCheckpoints(Time time) {
        while (forgottenCheckpoints.size() > 1) {
            Map.Entry<Time, String> oldest = forgottenCheckpoints.pollFirstEntry();
            EngineServices.of(context.engine()).deleteCheckpoint(oldest.getValue());
            log.debug("batch {}: deleted old checkpoint {} of stream {}", time.millis(), oldest.getValue(), this);
        }
    }

    /** Releases whatever else this stream holds for batch {@code time} (input blocks). */
    protected void releaseBatch(Time time) {
    }

    // ---------------------------------------------------------------- persistence and checkpoints

    /** Persists every dataset of this stream at {@code level}; returns this stream. */
    public DStream<T> persist(StorageLevel level) {
        checkNotNull(level, "level");
        context.checkCanAddOperation();
        this.storageLevel = level;
        return this;
    }

    /** Persists every dataset of this stream in memory; returns this stream. */
    public DStream<T> cache() {
        return persist(StorageLevel.MEMORY);
    }

    /** Returns the storage level of this stream's datasets. */
    public StorageLevel storageLevel() {
        return storageLevel;
    }

    /**
     * Checkpoints this stream's dataset every {@code interval}, cutting its lineage.
     *
     * @throws IllegalArgumentException if {@code interval} is not a positive multiple of the slide
     */
    public DStream<T> checkpoint(Duration interval) {
        checkNotNull(interval, "interval");
        context.checkCanAddOperation();
        Durations.checkMultiple("checkpoint interval", interval, this);
        this.checkpointInterval = interval;
        return this;
    }

    // ---------------------------------------------------------------- transformations

    /** Returns a stream of {@code f} applied to each element. */
    public <R> DStream<R> map(MapFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return new TransformedDStream<T, R>(this, (ds, t) -> ds.map(f), "map");
    }

    /** Returns a stream of the elements for which {@code f} returns true. */
    public DStream<T> filter(FilterFunction<? super T> f) {
        checkNotNull(f, "f");
        return new TransformedDStream<T, T>(this, (ds, t) -> ds.filter(f), "filter");
    }

    /** Returns a stream of the elements of the iterables {@code f} returns. */
    public <R> DStream<R> flatMap(FlatMapFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return new TransformedDStream<T, R>(this, (ds, t) -> ds.flatMap(f), "flatMap");
    }

    /** Returns a stream of what {@code f} emits per element into its consumer; no collection per element. */
    public <R> DStream<R> mapMulti(MapMultiFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return new TransformedDStream<T, R>(this, (ds, t) -> ds.mapMulti(f), "mapMulti");
    }

    /** Returns a stream of {@code f} applied to each partition's iterator. */
    public <R> DStream<R> mapPartitions(MapPartitionsFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return new TransformedDStream<T, R>(this, (ds, t) -> ds.mapPartitions(f), "mapPartitions");
    }

    /** Returns a keyed stream of the pairs {@code f} makes of each element. */
    public <K, V> PairDStream<K, V> mapToPair(PairFunction<? super T, ? extends K, ? extends V> f) {
        checkNotNull(f, "f");
        return PairDStream.of(new TransformedDStream<T, Pair<K, V>>(this, (ds, t) -> ds.mapToPair(f), "mapToPair"));
    }

    /**
     * Returns the union of this stream and {@code other}, which must have the same slide.
     *
     * @throws IllegalArgumentException if the slides differ
     */
    public DStream<T> union(DStream<T> other) {
        checkNotNull(other, "other");
        return new UnionDStream<>(List.of(this, other));
    }

    /** Returns a stream whose datasets are shuffled into {@code numPartitions} even partitions. */
    public DStream<T> repartition(int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        return new TransformedDStream<T, T>(this, (ds, t) -> ds.repartition(numPartitions), "repartition");
    }

    /** Returns a stream with one element per batch: the number of elements (0 for an empty batch). */
    public DStream<Long> count() {
        return new TransformedDStream<T, Long>(this, (ds, t) -> Batches.count(ds), "count");
    }

    /** Returns a keyed stream of each distinct element and its number of occurrences per batch. */
    public PairDStream<T, Long> countByValue() {
        return mapToPair(t -> Pair.of(t, 1L)).reduceByKey(Long::sum).setName("countByValue");
    }

    /** Returns a stream with one element per non-empty batch: all elements combined with {@code f}. */
    public DStream<T> reduce(ReduceFunction<T> f) {
        checkNotNull(f, "f");
        return new TransformedDStream<T, T>(this, (ds, t) -> Batches.reduce(ds, f), "reduce");
    }

    /** Returns a stream of {@code f} applied to each batch's dataset. */
    public <R> DStream<R> transform(TransformFunction<T, R> f) {
        checkNotNull(f, "f");
        return new TransformedDStream<T, R>(this, (ds, t) -> f.call(ds), "transform");
    }

    /** Returns a stream of {@code f} applied to each batch's dataset and time. */
    public <R> DStream<R> transform(TimedTransformFunction<T, R> f) {
        checkNotNull(f, "f");
        return new TransformedDStream<T, R>(this, f::call, "transform");
    }

    /** Returns a keyed stream of {@code f} applied to each batch's dataset. */
    public <K, V> PairDStream<K, V> transformToPair(TransformFunction<T, Pair<K, V>> f) {
        checkNotNull(f, "f");
        return PairDStream.of(new TransformedDStream<T, Pair<K, V>>(this, (ds, t) -> f.call(ds), "transformToPair"));
    }

    // ---------------------------------------------------------------- output operations

    /** Calls {@code f} with each batch's dataset and time: the general output operation. */
    public void foreachBatch(ForeachBatchFunction<T> f) {
        checkNotNull(f, "f");
        new ForEachDStream<>(this, f, "foreachBatch");
    }

    /** Prints the first 10 elements of each batch to standard output. */
    public void print() {
        print(10);
    }

    /**
     * Prints the first {@code n} elements of each batch to standard output: a line of dashes,
     * {@code Time: <ms> ms}, dashes again, the elements one per line, {@code ...} if there were
     * more, and an empty line.
     */
    public void print(int n) {
        checkArgument(n > 0, "n must be > 0, got %s", n);
        new ForEachDStream<T>(this, (ds, time) -> System.out.print(Batches.printout(ds.take(n + 1), n, time)), "print");
    }

    /**
     * Writes each batch as text to the directory {@code prefix-<batch ms>.suffix} (no dot if
     * {@code suffix} is empty), on any Hadoop FileSystem. Each directory appears atomically; a
     * batch whose directory already exists (a replay after a restart) is not written again.
     */
    public void saveAsTextFiles(String prefix, String suffix) {
        checkNotNull(prefix, "prefix");
        checkNotNull(suffix, "suffix");
        new ForEachDStream<T>(this, (ds, time) -> Batches.save(ds, prefix, suffix, time), "saveAsTextFiles");
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
        return new WindowedDStream<>(this, Window.of("window", this, length, slide), "window");
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
        Window window = Window.of("reduceByWindow", this, length, slide);
        return new WindowedDStream<>(reduce(f), window, "reduceByWindow").reduce(f).setName("reduceByWindow");
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
        Window window = Window.of("reduceByWindow", this, length, slide);
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
        Window window = Window.of("countByWindow", this, length, slide);
        return new WindowedDStream<>(count(), window, "countByWindow").reduce(Long::sum).setName("countByWindow");
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
        Window window = Window.of("countByValueAndWindow", this, length, slide);
        PairDStream<T, Long> ones = mapToPair(t -> Pair.of(t, 1L));
        return ones.reduceByKeyAndWindow(Long::sum, (a, b) -> a - b, window, ones.defaultPartitioner(),
                kv -> kv.value() != 0L, "countByValueAndWindow");
    }
}
