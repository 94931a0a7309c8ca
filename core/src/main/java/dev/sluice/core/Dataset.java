package dev.sluice.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.dataset.CoalescedDataset;
import dev.sluice.core.dataset.Iterators;
import dev.sluice.core.dataset.MapPartitionsDataset;
import dev.sluice.core.dataset.OneToOneDependency;
import dev.sluice.core.dataset.TextOutput;
import dev.sluice.core.dataset.UnionDataset;
import dev.sluice.core.dataset.UserCodeException;
import dev.sluice.core.dataset.ZeroValues;
import dev.sluice.core.function.FilterFunction;
import dev.sluice.core.function.FlatMapFunction;
import dev.sluice.core.function.ForeachFunction;
import dev.sluice.core.function.ForeachPartitionFunction;
import dev.sluice.core.function.MapFunction;
import dev.sluice.core.function.MapMultiFunction;
import dev.sluice.core.function.MapPartitionsFunction;
import dev.sluice.core.function.PairFunction;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.storage.BlockId;
import dev.sluice.core.storage.DatasetBlockId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An immutable, partitioned collection that knows how it was computed from its parents (its
 * lineage), so that any lost partition can be computed again.
 *
 * <p>Transformations ({@link #map}, {@link #filter}, {@link #flatMap}, ...) are lazy: they return
 * a new dataset and run nothing. Actions ({@link #collect}, {@link #count}, {@link #foreach}, ...)
 * submit a job to the {@link Engine} and block until it ends. Narrow transformations are fused
 * into one pass per partition; keyed operations on {@link PairDataset} shuffle.
 *
 * <p>Thread-safety: a dataset may be shared between threads and its actions called
 * concurrently. {@link #persist} and {@link #checkpoint} change how later jobs compute it, not
 * what it contains.
 *
 * <p>Extending: subclasses live in the engine; users build datasets through {@link Engine} and
 * transformations only.
 *
 * @param <T> the element type
 */
public abstract class Dataset<T> {
    final Engine engine;
    private final int id;
    private volatile String name;
    private volatile List<Partition> partitions;
    private volatile List<Dependency> dependencies;
    private volatile StorageLevel storageLevel = StorageLevel.NONE;
    private volatile boolean checkpointRequested;
    private volatile Dataset<T> checkpointData;
    /**
     * Read-held while {@link #compute} builds an iterator from the parents; write-held while
     * {@link #releaseParents} drops them, so a task that started before a checkpoint completed
     * never sees its parents vanish. Held per call, not per record.
     */
    private final ReentrantReadWriteLock parentsLock = new ReentrantReadWriteLock();

    /** Creates a dataset of {@code engine} with a fresh id. */
    protected Dataset(Engine engine) {
        this.engine = checkNotNull(engine, "engine");
        this.id = EngineRuntime.of(engine).nextDatasetId();
    }

    /** Creates a view that shares {@code base}'s engine and id; see {@link PairDataset}. */
    Dataset(Dataset<?> base) {
        this.engine = base.engine;
        this.id = base.id;
    }

    // ---------------------------------------------------------------- what subclasses provide

    /** Returns this dataset's partitions; called once. */
    protected abstract List<Partition> computePartitions();

    /** Returns this dataset's dependencies on its parents; called once. */
    protected abstract List<Dependency> computeDependencies();

    /**
     * Computes the records of one partition from the parents. Called by the engine; users call
     * actions instead.
     */
    public abstract Iterator<T> compute(Partition partition, TaskContext context);

    /** Returns how this dataset's records are spread over partitions by key, if known. */
    public Optional<Partitioner> partitioner() {
        return Optional.empty();
    }

    // ---------------------------------------------------------------- identity and lineage

    /** Returns this dataset's id, unique within its engine. */
    public int id() {
        return id;
    }

    /** Returns the engine this dataset belongs to. */
    public Engine engine() {
        return engine;
    }

    /** Returns the name given with {@link #setName}, or the class's simple name. */
    public String name() {
        String n = name;
        return n != null ? n : getClass().getSimpleName();
    }

    /** Names this dataset, for lineage printouts and error messages; returns this dataset. */
    public Dataset<T> setName(String newName) {
        this.name = checkNotNull(newName, "name");
        return this;
    }

    /** Returns the partitions; after a checkpoint, those of the checkpoint files. */
    public List<Partition> partitions() {
        Dataset<T> checkpointed = checkpointData;
        if (checkpointed != null) {
            return checkpointed.partitions();
        }
        List<Partition> p = partitions;
        if (p == null) {
            synchronized (this) {
                p = partitions;
                if (p == null) {
                    p = List.copyOf(computePartitions());
                    partitions = p;
                }
            }
        }
        return p;
    }

    /** Returns the number of partitions. */
    public int numPartitions() {
        return partitions().size();
    }

    /**
     * Returns the dependencies on parents; after a checkpoint, a single one on the checkpoint
     * files, which is what truncates the lineage.
     */
    public List<Dependency> dependencies() {
        Dataset<T> checkpointed = checkpointData;
        if (checkpointed != null) {
            return List.of(new OneToOneDependency(checkpointed));
        }
        List<Dependency> d = dependencies;
        if (d == null) {
            synchronized (this) {
                d = dependencies;
                if (d == null) {
                    d = List.copyOf(computeDependencies());
                    dependencies = d;
                }
            }
        }
        return d;
    }

    /** Returns the lineage as an indented tree, one dataset per line, for debugging. */
    public String lineage() {
        StringBuilder out = new StringBuilder();
        appendLineage(this, out, "", false);
        return out.toString();
    }

    private static void appendLineage(Dataset<?> ds, StringBuilder out, String indent, boolean viaShuffle) {
        out.append(indent).append(viaShuffle ? "+-(shuffle) " : (indent.isEmpty() ? "" : "+- "))
                .append(ds.describe()).append('\n');
        for (Dependency dep : ds.dependencies()) {
            appendLineage(dep.parent(), out, indent + "   ", dep.isShuffle());
        }
    }

    private String describe() {
        StringBuilder s = new StringBuilder().append('(').append(numPartitions()).append(") ")
                .append(name()).append(" [").append(id).append(']');
        if (storageLevel() != StorageLevel.NONE) {
            s.append(" persisted ").append(storageLevel());
        }
        if (isCheckpointed()) {
            s.append(" checkpointed");
        }
        partitioner().ifPresent(p -> s.append(" partitioner=").append(p));
        return s.toString();
    }

    @Override
    public String toString() {
        return name() + " [" + id + "]";
    }

    // ---------------------------------------------------------------- computing partitions

    /**
     * Returns the records of {@code partition}: from the block store if persisted and present,
     * else from checkpoint files if checkpointed, else computed from the parents. Called by the
     * engine.
     */
    public Iterator<T> iterator(Partition partition, TaskContext context) {
        if (storageLevel != StorageLevel.NONE) {
            return cachedOrCompute(partition, context);
        }
        return computeOrReadCheckpoint(partition, context);
    }

    private Iterator<T> cachedOrCompute(Partition partition, TaskContext context) {
        EngineRuntime runtime = EngineRuntime.of(engine);
        BlockId blockId = new DatasetBlockId(id, partition.index());
        Optional<List<T>> cached = runtime.blockStore().get(blockId);
        if (cached.isPresent()) {
            return cached.get().iterator();
        }
        List<T> values = Iterators.toList(computeOrReadCheckpoint(partition, context));
        StorageLevel level = storageLevel;
        if (level != StorageLevel.NONE) {
            runtime.blockStore().put(blockId, values, level);
        }
        return values.iterator();
    }

    private Iterator<T> computeOrReadCheckpoint(Partition partition, TaskContext context) {
        Lock lock = parentsLock.readLock();
        lock.lock();
        try {
            Dataset<T> checkpointed = checkpointData;
            if (checkpointed != null) {
                return checkpointed.iterator(partition, context);
            }
            if (checkpointRequested) {
                List<T> values = Iterators.toList(compute(partition, context));
                EngineRuntime.of(engine).checkpointFiles()
                        .writePartition(checkpointPath(), partition.index(), values.iterator());
                return values.iterator();
            }
            return compute(partition, context);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- persistence and checkpoints

    /**
     * Keeps computed partitions at {@code level} so that later jobs reuse them; a partition lost
     * from the store is recomputed from lineage. Returns this dataset.
     *
     * @throws IllegalStateException if a different level was already set; unpersist first
     */
    public Dataset<T> persist(StorageLevel level) {
        checkNotNull(level, "level");
        StorageLevel current = storageLevel;
        checkState(current == StorageLevel.NONE || current == level,
                "dataset %s already persisted at %s; call unpersist() before persisting at %s", this, current, level);
        if (current == StorageLevel.NONE && level != StorageLevel.NONE) {
            storageLevel = level;
            EngineRuntime.of(engine).registerPersisted(this);
        }
        return this;
    }

    /** Persists at {@link StorageLevel#MEMORY}; returns this dataset. */
    public Dataset<T> cache() {
        return persist(StorageLevel.MEMORY);
    }

    /** Drops the kept partitions and stops keeping new ones; returns this dataset. */
    public Dataset<T> unpersist() {
        storageLevel = StorageLevel.NONE;
        EngineRuntime.of(engine).removeBlocksOf(id);
        return this;
    }

    /** Returns the level set by {@link #persist}, or {@link StorageLevel#NONE}. */
    public StorageLevel storageLevel() {
        return storageLevel;
    }

    /** Returns true if every partition is held in the block store right now. */
    public boolean isFullyCached() {
        if (storageLevel == StorageLevel.NONE) {
            return false;
        }
        EngineRuntime runtime = EngineRuntime.of(engine);
        for (int p = 0; p < numPartitions(); p++) {
            if (!runtime.blockStore().contains(new DatasetBlockId(id, p))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Marks this dataset for checkpointing: the next job that computes it also writes its
     * partitions to {@code <checkpointDir>/<engine run>/<id>/part-NNNNN} (each written under a
     * temporary name, then renamed), after which its lineage is replaced by those files. The run
     * directory is new for every engine, because dataset ids restart at 0 in each: files of an
     * earlier run are never mistaken for this one's. Persist it too if it is
     * expensive, or the partitions a job did not need are computed once more to be written.
     *
     * @throws IllegalStateException if the engine has no checkpoint directory
     */
    public Dataset<T> checkpoint() {
        checkState(engine.checkpointDir().isPresent(),
                "cannot checkpoint dataset %s: the engine has no checkpoint directory; set one with "
                        + "Engine.builder().checkpointDir(\"file:///path/to/dir\") (any Hadoop FileSystem URI)", this);
        checkpointRequested = true;
        return this;
    }

    /** Returns true once the checkpoint has been written and the lineage truncated. */
    public boolean isCheckpointed() {
        return checkpointData != null;
    }

    /** Returns the URI of this dataset's checkpoint directory, if it has been checkpointed. */
    public Optional<String> checkpointFile() {
        return isCheckpointed() ? Optional.of(checkpointPath()) : Optional.empty();
    }

    boolean isCheckpointPending() {
        return checkpointRequested && checkpointData == null;
    }

    String checkpointPath() {
        return engine.checkpointRunDir() + "/" + id;
    }

    void completeCheckpoint(Dataset<T> data) {
        checkpointData = data;
        // Forget the pre-checkpoint parents, so that they (and their shuffle outputs) can be freed.
        dependencies = null;
        Lock lock = parentsLock.writeLock();
        lock.lock();
        try {
            releaseParents();
        } finally {
            lock.unlock();
        }
        EngineRuntime.of(engine).logCheckpoint(this, checkpointPath());
    }

    /**
     * Drops this dataset's references to its parents (and anything it owns that only they fed,
     * such as its shuffle outputs): called once its checkpoint is complete, after which it is read
     * from the checkpoint files and never computed from its parents again. Without this, a chain
     * of datasets that each read the previous one (running state, incremental windows) would keep
     * every earlier dataset reachable, checkpoint or not. Subclasses that hold parents override it;
     * their {@link #compute} must take from the parents everything the returned iterator needs
     * before returning (it runs under a lock this method waits for), not read them lazily later.
     */
    protected void releaseParents() {
    }

    // ---------------------------------------------------------------- narrow transformations

    /** Returns a dataset of {@code f} applied to each element. */
    public <R> Dataset<R> map(MapFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return new MapPartitionsDataset<T, R>(this, (ctx, p, it) -> Iterators.map(it, f), false, "map");
    }

    /** Returns a dataset of the elements for which {@code f} returns true. */
    public Dataset<T> filter(FilterFunction<? super T> f) {
        checkNotNull(f, "f");
        return new MapPartitionsDataset<T, T>(this, (ctx, p, it) -> Iterators.filter(it, f), true, "filter");
    }

    /** Returns a dataset of the elements of the iterables {@code f} returns. */
    public <R> Dataset<R> flatMap(FlatMapFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return new MapPartitionsDataset<T, R>(this, (ctx, p, it) -> Iterators.flatMap(it, f), false, "flatMap");
    }

    /**
     * Returns a dataset of what {@code f} emits for each element into its consumer, like
     * {@link java.util.stream.Stream#mapMulti}; allocates no collection per element.
     */
    public <R> Dataset<R> mapMulti(MapMultiFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return new MapPartitionsDataset<T, R>(this, (ctx, p, it) -> Iterators.mapMulti(it, f), false, "mapMulti");
    }

    /** Returns a dataset of {@code f} applied to each whole partition's iterator. */
    public <R> Dataset<R> mapPartitions(MapPartitionsFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return new MapPartitionsDataset<T, R>(this, (ctx, p, it) -> callPartition(f, it), false, "mapPartitions");
    }

    @SuppressWarnings("unchecked")
    private static <T, R> Iterator<R> callPartition(MapPartitionsFunction<? super T, ? extends R> f, Iterator<T> it) {
        try {
            return (Iterator<R>) f.call((Iterator) it);
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
    }

    /** Returns a keyed dataset of the pairs {@code f} makes of each element. */
    public <K, V> PairDataset<K, V> mapToPair(PairFunction<? super T, ? extends K, ? extends V> f) {
        checkNotNull(f, "f");
        Dataset<Pair<K, V>> mapped = new MapPartitionsDataset<T, Pair<K, V>>(
                this, (ctx, p, it) -> Iterators.map(it, t -> (Pair<K, V>) f.call(t)), false, "mapToPair");
        return PairDataset.of(mapped);
    }

    /** Returns a keyed dataset of {@code (f(element), element)}. */
    public <K> PairDataset<K, T> keyBy(MapFunction<? super T, ? extends K> f) {
        checkNotNull(f, "f");
        return mapToPair(t -> Pair.of(f.call(t), t));
    }

    /** Returns a dataset with one element per partition: the partition's elements as a list. */
    public Dataset<List<T>> glom() {
        return new MapPartitionsDataset<T, List<T>>(
                this, (ctx, p, it) -> List.<List<T>>of(Iterators.toList(it)).iterator(), false, "glom");
    }

    /**
     * Returns a random sample of about {@code fraction} of the elements, each kept independently;
     * the same seed gives the same sample.
     *
     * @throws IllegalArgumentException if {@code fraction} is not in {@code [0, 1]}
     */
    public Dataset<T> sample(double fraction, long seed) {
        checkArgument(fraction >= 0 && fraction <= 1, "fraction must be in [0, 1], got %s", fraction);
        return new MapPartitionsDataset<T, T>(this, (ctx, p, it) -> {
            Random random = new Random(seed * 31 + p);
            return Iterators.filter(it, t -> random.nextDouble() < fraction);
        }, true, "sample");
    }

    /** Returns the elements of this dataset followed by those of {@code other}. */
    public Dataset<T> union(Dataset<T> other) {
        checkNotNull(other, "other");
        return new UnionDataset<>(engine, List.of(this, other));
    }

    /** Returns the distinct elements (by {@code equals}), shuffled into the same partition count. */
    public Dataset<T> distinct() {
        return distinct(numPartitions());
    }

    /** Returns the distinct elements (by {@code equals}) in {@code numPartitions} partitions. */
    public Dataset<T> distinct(int numPartitions) {
        checkPositive(numPartitions);
        return mapToPair(t -> Pair.of(t, Boolean.TRUE))
                .reduceByKey((a, b) -> a, numPartitions)
                .keys();
    }

    /** Returns the elements spread evenly over {@code numPartitions} partitions by a shuffle. */
    public Dataset<T> repartition(int numPartitions) {
        checkPositive(numPartitions);
        Dataset<Pair<Integer, T>> keyed = new MapPartitionsDataset<T, Pair<Integer, T>>(this, (ctx, p, it) -> {
            int[] next = {p * 7919};
            return Iterators.map(it, t -> Pair.of(next[0]++, t));
        }, false, "repartition");
        return PairDataset.of(keyed).partitionBy(new HashPartitioner(numPartitions)).values();
    }

    /**
     * Returns the elements in at most {@code numPartitions} partitions by merging neighbouring
     * partitions, without a shuffle; a larger number than the current one changes nothing.
     */
    public Dataset<T> coalesce(int numPartitions) {
        checkPositive(numPartitions);
        if (numPartitions >= numPartitions()) {
            return this;
        }
        return new CoalescedDataset<>(this, numPartitions);
    }

    static void checkPositive(int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
    }

    // ---------------------------------------------------------------- actions

    /** Returns all elements, in partition order. Runs a job. */
    public List<T> collect() {
        List<List<T>> parts = engine.runJob(this, (ctx, it) -> Iterators.toList(it));
        List<T> out = new ArrayList<>();
        parts.forEach(out::addAll);
        return out;
    }

    /** Returns the number of elements. Runs a job. */
    public long count() {
        List<Long> counts = engine.runJob(this, (ctx, it) -> {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return n;
        });
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /**
     * Combines all elements with {@code f}, which must be associative and commutative. Runs a job.
     *
     * @throws NoSuchElementException if the dataset is empty; use {@link #fold} with a zero value
     */
    public T reduce(ReduceFunction<T> f) {
        checkNotNull(f, "f");
        List<Optional<T>> parts = engine.runJob(this, (ctx, it) -> reducePartition(it, f));
        Optional<T> result = reducePartition(parts.stream().flatMap(Optional::stream).iterator(), f);
        return result.orElseThrow(() -> new NoSuchElementException(
                "reduce of empty dataset " + this + "; use fold(zero, f) to get a value for empty datasets"));
    }

    private static <T> Optional<T> reducePartition(Iterator<T> it, ReduceFunction<T> f) {
        if (!it.hasNext()) {
            return Optional.empty();
        }
        T acc = it.next();
        try {
            while (it.hasNext()) {
                acc = f.call(acc, it.next());
            }
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
        return Optional.ofNullable(acc);
    }

    /**
     * Combines all elements with {@code f} starting from {@code zero} in each partition and once
     * more across partitions, so {@code zero} must be an identity of {@code f}. Runs a job.
     */
    public T fold(T zero, ReduceFunction<T> f) {
        checkNotNull(f, "f");
        // Each partition, and the merge, starts from its own copy: f may mutate a mutable zero.
        ZeroValues<T> zeros = ZeroValues.of(engine, zero);
        List<T> parts = engine.runJob(this, (ctx, it) -> {
            T acc = zeros.fresh();
            while (it.hasNext()) {
                acc = f.call(acc, it.next());
            }
            return acc;
        });
        T acc = zeros.fresh();
        try {
            for (T part : parts) {
                acc = f.call(acc, part);
            }
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
        return acc;
    }

    /**
     * Returns the first {@code n} elements in partition order, computing as few partitions as it
     * can (it tries one, then more). Runs one or more jobs.
     */
    public List<T> take(int n) {
        checkArgument(n >= 0, "n must be >= 0, got %s", n);
        List<T> out = new ArrayList<>(Math.min(n, 1024));
        int total = numPartitions();
        int scanned = 0;
        int batch = 1;
        while (out.size() < n && scanned < total) {
            int end = Math.min(total, scanned + batch);
            List<Integer> which = new ArrayList<>();
            for (int p = scanned; p < end; p++) {
                which.add(p);
            }
            int want = n - out.size();
            List<List<T>> parts = engine.runJob(this, which, (ctx, it) -> {
                List<T> got = new ArrayList<>();
                while (got.size() < want && it.hasNext()) {
                    got.add(it.next());
                }
                return got;
            });
            for (List<T> part : parts) {
                for (T t : part) {
                    if (out.size() < n) {
                        out.add(t);
                    }
                }
            }
            scanned = end;
            batch *= 4;
        }
        return out;
    }

    /**
     * Returns the first element.
     *
     * @throws NoSuchElementException if the dataset is empty
     */
    public T first() {
        List<T> one = take(1);
        if (one.isEmpty()) {
            throw new NoSuchElementException("first() of empty dataset " + this);
        }
        return one.get(0);
    }

    /** Calls {@code f} on every element, on worker threads. Runs a job. */
    public void foreach(ForeachFunction<? super T> f) {
        checkNotNull(f, "f");
        engine.runJob(this, (ctx, it) -> {
            while (it.hasNext()) {
                f.call(it.next());
            }
            return Boolean.TRUE;
        });
    }

    /** Calls {@code f} once per partition with its iterator, on worker threads. Runs a job. */
    public void foreachPartition(ForeachPartitionFunction<? super T> f) {
        checkNotNull(f, "f");
        engine.runJob(this, (ctx, it) -> {
            callForeachPartition(f, it);
            return Boolean.TRUE;
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> void callForeachPartition(ForeachPartitionFunction<? super T> f, Iterator<T> it)
            throws Exception {
        ((ForeachPartitionFunction) f).call(it);
    }

    /**
     * Writes the elements' {@code toString()} lines to the directory {@code uri}, one
     * {@code part-NNNNN} file per partition, on any Hadoop FileSystem. The directory appears
     * atomically: it is written under a temporary name and renamed when every part is done.
     *
     * @throws IllegalStateException if {@code uri} already exists
     */
    public void saveAsTextFile(String uri) {
        checkNotNull(uri, "uri");
        TextOutput output = TextOutput.begin(EngineRuntime.of(engine).hadoopConf(), uri);
        try {
            engine.runJob(this, (ctx, it) -> {
                output.writePart(ctx.partitionId(), it);
                return Boolean.TRUE;
            });
        } catch (RuntimeException e) {
            output.abort();
            throw e;
        }
        output.commit();
    }
}
