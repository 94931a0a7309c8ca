package dev.sluice.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.dataset.CoalescedDataset;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.Iterators;
import dev.sluice.core.dataset.MapPartitionsDataset;
import dev.sluice.core.dataset.NodeDependency;
import dev.sluice.core.dataset.TextOutput;
import dev.sluice.core.dataset.ZeroValues;
import dev.sluice.core.failure.UserCodeException;
import dev.sluice.core.function.FilterFunction;
import dev.sluice.core.function.FlatMapFunction;
import dev.sluice.core.function.ForeachFunction;
import dev.sluice.core.function.ForeachPartitionFunction;
import dev.sluice.core.function.MapFunction;
import dev.sluice.core.function.MapMultiFunction;
import dev.sluice.core.function.MapPartitionsFunction;
import dev.sluice.core.function.PairFunction;
import dev.sluice.core.function.ReduceFunction;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;

/**
 * An immutable, partitioned collection that knows how it was computed from its parents (its
 * lineage), so that any lost partition can be computed again.
 *
 * <p>Transformations ({@link #map}, {@link #filter}, {@link #flatMap}, ...) are lazy: they return
 * a new dataset and run nothing. Actions ({@link #collect}, {@link #count}, {@link #foreach}, ...)
 * submit a job to the {@link Engine} and block until it ends. Narrow transformations are fused
 * into one pass per partition; keyed operations on {@link PairDataset} shuffle.
 *
 * <p>A dataset is a handle: a thin view of one node of the engine's lineage graph. Two handles
 * on the same node (a dataset and its {@link PairDataset} view) are equal and share everything:
 * id, partitions, persistence and checkpoint.
 *
 * <p>Thread-safety: a dataset may be shared between threads and its actions called
 * concurrently. {@link #persist} and {@link #checkpoint} change how later jobs compute it, not
 * what it contains.
 *
 * <p>Extending: datasets are made by {@link Engine} and by transformations only.
 *
 * @param <T> the element type
 */
public sealed class Dataset<T> permits PairDataset {
    final Engine engine;
    final DatasetNode<T> node;

    /** Creates the handle of {@code node}, a node of {@code engine}. */
    Dataset(Engine engine, DatasetNode<T> node) {
        this.engine = engine;
        this.node = node;
    }

    /** Returns a handle of {@code node}; transformations wrap the nodes they make with it. */
    <R> Dataset<R> wrap(DatasetNode<R> child) {
        return new Dataset<>(engine, child);
    }

    // ---------------------------------------------------------------- identity and lineage

    /** Returns this dataset's id, unique within its engine. */
    public int id() {
        return node.id();
    }

    /** Returns the engine this dataset belongs to. */
    public Engine engine() {
        return engine;
    }

    /** Returns the name given with {@link #setName}, or the kind of operation that made it. */
    public String name() {
        return node.name();
    }

    /** Names this dataset, for lineage printouts and error messages; returns this dataset. */
    public Dataset<T> setName(String newName) {
        node.setName(newName);
        return this;
    }

    /** Returns the partitions; after a checkpoint, those of the checkpoint files. */
    public List<Partition> partitions() {
        return node.partitions();
    }

    /** Returns the number of partitions. */
    public int numPartitions() {
        return node.numPartitions();
    }

    /**
     * Returns the dependencies on parents; after a checkpoint, a single one on the checkpoint
     * files, which is what truncates the lineage.
     */
    public List<Dependency> dependencies() {
        List<NodeDependency> deps = node.dependencies();
        List<Dependency> out = new ArrayList<>(deps.size());
        for (NodeDependency dep : deps) {
            out.add(new LineageEdge(wrap(dep.parent()), dep));
        }
        return out;
    }

    /** Returns how this dataset's records are spread over partitions by key, if known. */
    public Optional<Partitioner> partitioner() {
        return node.partitioner();
    }

    /** Returns the lineage as an indented tree, one dataset per line, for debugging. */
    public String lineage() {
        StringBuilder out = new StringBuilder();
        appendLineage(node, out, "", false);
        return out.toString();
    }

    private static void appendLineage(DatasetNode<?> n, StringBuilder out, String indent, boolean viaShuffle) {
        out.append(indent).append(viaShuffle ? "+-(shuffle) " : (indent.isEmpty() ? "" : "+- "))
                .append(describe(n)).append('\n');
        for (NodeDependency dep : n.dependencies()) {
            appendLineage(dep.parent(), out, indent + "   ", dep.isShuffle());
        }
    }

    private static String describe(DatasetNode<?> n) {
        StringBuilder s = new StringBuilder().append('(').append(n.numPartitions()).append(") ")
                .append(n.name()).append(" [").append(n.id()).append(']');
        if (n.storageLevel() != StorageLevel.NONE) {
            s.append(" persisted ").append(n.storageLevel());
        }
        if (n.isCheckpointed()) {
            s.append(" checkpointed");
        }
        n.partitioner().ifPresent(p -> s.append(" partitioner=").append(p));
        return s.toString();
    }

    /** Two handles are equal when they show the same dataset (a dataset and its pair view are). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset<?> other && other.node == node;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(node);
    }

    @Override
    public String toString() {
        return node.toString();
    }

    // ---------------------------------------------------------------- persistence and checkpoints

    /**
     * Keeps computed partitions at {@code level} so that later jobs reuse them; a partition lost
     * from the store is recomputed from lineage. Returns this dataset.
     *
     * @throws IllegalStateException if a different level was already set; unpersist first
     */
    public Dataset<T> persist(StorageLevel level) {
        node.persist(level);
        return this;
    }

    /** Persists at {@link StorageLevel#MEMORY}; returns this dataset. */
    public Dataset<T> cache() {
        return persist(StorageLevel.MEMORY);
    }

    /** Drops the kept partitions and stops keeping new ones; returns this dataset. */
    public Dataset<T> unpersist() {
        node.unpersist();
        return this;
    }

    /** Returns the level set by {@link #persist}, or {@link StorageLevel#NONE}. */
    public StorageLevel storageLevel() {
        return node.storageLevel();
    }

    /** Returns true if every partition is held in the block store right now. */
    public boolean isFullyCached() {
        return node.isFullyCached();
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
        node.requestCheckpoint();
        return this;
    }

    /** Returns true once the checkpoint has been written and the lineage truncated. */
    public boolean isCheckpointed() {
        return node.isCheckpointed();
    }

    /** Returns the URI of this dataset's checkpoint directory, if it has been checkpointed. */
    public Optional<String> checkpointFile() {
        return isCheckpointed() ? Optional.of(node.checkpointPath()) : Optional.empty();
    }

    // ---------------------------------------------------------------- narrow transformations

    /** Returns a dataset of {@code f} applied to each element. */
    public <R> Dataset<R> map(MapFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return wrap(new MapPartitionsDataset<T, R>(node, (ctx, p, it) -> Iterators.map(it, f), false, "map"));
    }

    /** Returns a dataset of the elements for which {@code f} returns true. */
    public Dataset<T> filter(FilterFunction<? super T> f) {
        checkNotNull(f, "f");
        return wrap(new MapPartitionsDataset<T, T>(node, (ctx, p, it) -> Iterators.filter(it, f), true, "filter"));
    }

    /** Returns a dataset of the elements of the iterables {@code f} returns. */
    public <R> Dataset<R> flatMap(FlatMapFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return wrap(new MapPartitionsDataset<T, R>(node, (ctx, p, it) -> Iterators.flatMap(it, f), false, "flatMap"));
    }

    /**
     * Returns a dataset of what {@code f} emits for each element into its consumer, like
     * {@link java.util.stream.Stream#mapMulti}; allocates no collection per element.
     */
    public <R> Dataset<R> mapMulti(MapMultiFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return wrap(new MapPartitionsDataset<T, R>(node, (ctx, p, it) -> Iterators.mapMulti(it, f), false, "mapMulti"));
    }

    /** Returns a dataset of {@code f} applied to each whole partition's iterator. */
    public <R> Dataset<R> mapPartitions(MapPartitionsFunction<? super T, ? extends R> f) {
        checkNotNull(f, "f");
        return wrap(new MapPartitionsDataset<T, R>(node, (ctx, p, it) -> callPartition(f, it), false, "mapPartitions"));
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
        return new PairDataset<>(engine, new MapPartitionsDataset<T, Pair<K, V>>(
                node, (ctx, p, it) -> Iterators.<T, K, V>mapToPair(it, f), false, "mapToPair"));
    }

    /** Returns a keyed dataset of {@code (f(element), element)}. */
    public <K> PairDataset<K, T> keyBy(MapFunction<? super T, ? extends K> f) {
        checkNotNull(f, "f");
        return mapToPair(t -> Pair.of(f.call(t), t));
    }

    /** Returns a dataset with one element per partition: the partition's elements as a list. */
    public Dataset<List<T>> glom() {
        return wrap(new MapPartitionsDataset<T, List<T>>(
                node, (ctx, p, it) -> List.<List<T>>of(Iterators.toList(it)).iterator(), false, "glom"));
    }

    /**
     * Returns a random sample of about {@code fraction} of the elements, each kept independently;
     * the same seed gives the same sample.
     *
     * @throws IllegalArgumentException if {@code fraction} is not in {@code [0, 1]}
     */
    public Dataset<T> sample(double fraction, long seed) {
        checkArgument(fraction >= 0 && fraction <= 1, "fraction must be in [0, 1], got %s", fraction);
        return wrap(new MapPartitionsDataset<T, T>(node, (ctx, p, it) -> {
            Random random = new Random(seed * 31 + p);
            return Iterators.filter(it, t -> random.nextDouble() < fraction);
        }, true, "sample"));
    }

    /** Returns the elements of this dataset followed by those of {@code other}. */
    public Dataset<T> union(Dataset<T> other) {
        checkNotNull(other, "other");
        return engine.union(List.of(this, other));
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
        PairDataset<Integer, T> keyed = new PairDataset<>(engine, new MapPartitionsDataset<T, Pair<Integer, T>>(
                node, (ctx, p, it) -> {
            int[] next = {p * 7919};
            return Iterators.map(it, t -> Pair.of(next[0]++, t));
        }, false, "repartition"));
        return keyed.partitionBy(new HashPartitioner(numPartitions)).values();
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
        return wrap(new CoalescedDataset<>(node, numPartitions));
    }

    static void checkPositive(int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
    }

    // ---------------------------------------------------------------- actions

    /** Returns all elements, in partition order. Runs a job. */
    public List<T> collect() {
        List<List<T>> parts = engine.runJob(node, (ctx, it) -> Iterators.toList(it));
        List<T> out = new ArrayList<>();
        parts.forEach(out::addAll);
        return out;
    }

    /** Returns the number of elements. Runs a job. */
    public long count() {
        List<Long> counts = engine.runJob(node, (ctx, it) -> {
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
        List<Optional<T>> parts = engine.runJob(node, (ctx, it) -> reducePartition(it, f));
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
        ZeroValues<T> zeros = ZeroValues.of(node.services().serializer(), zero);
        List<T> parts = engine.runJob(node, (ctx, it) -> {
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
            List<List<T>> parts = engine.runJob(node, which, (ctx, it) -> {
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
        engine.runJob(node, (ctx, it) -> {
            while (it.hasNext()) {
                f.call(it.next());
            }
            return Boolean.TRUE;
        });
    }

    /** Calls {@code f} once per partition with its iterator, on worker threads. Runs a job. */
    public void foreachPartition(ForeachPartitionFunction<? super T> f) {
        checkNotNull(f, "f");
        engine.runJob(node, (ctx, it) -> {
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
        TextOutput output = TextOutput.begin(node.services().hadoopConf(), uri);
        try {
            engine.runJob(node, (ctx, it) -> {
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
