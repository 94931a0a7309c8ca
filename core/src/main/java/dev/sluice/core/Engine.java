package dev.sluice.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.function.Function2;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.function.SupplierFunction;
import dev.sluice.core.dataset.EmptyDataset;
import dev.sluice.core.dataset.ParallelCollectionDataset;
import dev.sluice.core.dataset.TextFileDataset;
import dev.sluice.core.dataset.UnionDataset;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.scheduler.TaskFunction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch engine: creates datasets and runs their jobs on a fixed pool of worker threads.
 *
 * <pre>{@code
 * try (Engine engine = Engine.local(2)) {
 *     long words = engine.parallelize(lines, 2)
 *             .flatMap(l -> List.of(l.split(" ")))
 *             .distinct()
 *             .count();
 * }
 * }</pre>
 *
 * <p>Thread-safety: all methods may be called from any thread; jobs from several threads share
 * the worker pool. {@link #close()} stops the workers; later jobs fail.
 */
public final class Engine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final String appName;
    private final int parallelism;
    private final String checkpointDir;
    private final EngineRuntime runtime;
    private volatile boolean closed;

    private Engine(Builder b) {
        this.appName = b.appName;
        this.parallelism = b.parallelism;
        this.checkpointDir = b.checkpointDir;
        String checkpointRunDir = b.checkpointDir == null ? null : b.checkpointDir + "/run-" + UUID.randomUUID();
        Path localDir = b.localDir != null ? b.localDir
                : Path.of(System.getProperty("java.io.tmpdir"), "sluice-" + UUID.randomUUID());
        this.runtime = new EngineRuntime(parallelism, b.maxTaskAttempts, localDir, b.hadoopProperties,
                checkpointRunDir);
        log.info("engine '{}' started with {} worker threads{}", appName, parallelism,
                checkpointDir == null ? "" : ", checkpoints in " + checkpointDir);
    }

    /**
     * Returns an engine with {@code parallelism} worker threads and no checkpoint directory.
     *
     * @throws IllegalArgumentException if {@code parallelism <= 0}
     */
    public static Engine local(int parallelism) {
        return builder().parallelism(parallelism).build();
    }

    /** Returns a builder for an engine with more settings. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- creating datasets

    /**
     * Returns a dataset of {@code data} (copied now) in {@code numPartitions} contiguous slices.
     *
     * @throws IllegalArgumentException if {@code numPartitions <= 0}
     */
    public <T> Dataset<T> parallelize(List<T> data, int numPartitions) {
        checkNotNull(data, "data");
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        return wrap(new ParallelCollectionDataset<>(runtime.nodes(), data, numPartitions));
    }

    /** Returns a dataset of {@code data} in {@link #parallelism()} slices. */
    public <T> Dataset<T> parallelize(List<T> data) {
        return parallelize(data, parallelism);
    }

    /** Returns a keyed dataset of {@code pairs} in {@code numPartitions} slices. */
    public <K, V> PairDataset<K, V> parallelizePairs(List<Pair<K, V>> pairs, int numPartitions) {
        return PairDataset.of(parallelize(pairs, numPartitions));
    }

    /**
     * Returns the lines of a file, or of every file in a directory (names starting with '.' or '_'
     * are skipped), one partition per file, on any Hadoop FileSystem URI.
     *
     * @throws IllegalArgumentException if {@code uri} does not exist
     */
    public Dataset<String> textFile(String uri) {
        checkNotNull(uri, "uri");
        return wrap(new TextFileDataset(runtime.nodes(), runtime.nodes().hadoopConf(), uri));
    }

    /**
     * Returns a broadcast of {@code value}: serialized once now (with Kryo) and read by tasks
     * through {@link Broadcast#value()}, one copy shared by all of them. Capture the returned
     * {@code Broadcast} in your functions, not the value. See {@link Broadcast} for refreshing one
     * in a stream.
     *
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the engine is closed
     */
    public <T> Broadcast<T> broadcast(T value) {
        checkState(!closed, "engine '%s' is closed; create a new Engine to broadcast values", appName);
        return runtime.broadcasts().create(value);
    }

    /** Returns a dataset with no partitions. */
    public <T> Dataset<T> emptyDataset() {
        return wrap(new EmptyDataset<>(runtime.nodes()));
    }

    /** Returns the union of {@code datasets}: their partitions side by side, no data moved. */
    public <T> Dataset<T> union(List<? extends Dataset<T>> datasets) {
        checkNotNull(datasets, "datasets");
        checkArgument(!datasets.isEmpty(), "datasets must not be empty; use emptyDataset() for no data");
        List<DatasetNode<T>> parents = new ArrayList<>(datasets.size());
        for (Dataset<T> d : datasets) {
            checkNotNull(d, "datasets must not contain null");
            checkArgument(d.engine() == this, "dataset %s belongs to another engine", d);
            parents.add(d.node);
        }
        return wrap(new UnionDataset<>(runtime.nodes(), parents));
    }

    // ---------------------------------------------------------------- settings

    /** Returns the application name. */
    public String appName() {
        return appName;
    }

    /** Returns the number of worker threads. */
    public int parallelism() {
        return parallelism;
    }

    /** Returns the checkpoint directory URI, if one was set. */
    public Optional<String> checkpointDir() {
        return Optional.ofNullable(checkpointDir);
    }

    /** Returns true once {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** Stops the worker threads and drops all cached blocks, shuffle outputs and broadcasts. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        runtime.close();
        log.info("engine '{}' stopped", appName);
    }

    // ---------------------------------------------------------------- running jobs

    /** Returns the handle of {@code node}, a node of this engine. */
    <T> Dataset<T> wrap(DatasetNode<T> node) {
        return new Dataset<>(this, node);
    }

    // ---------------------------------------------------------------- accumulators

    /**
     * Returns a new accumulator of a {@code long} sum, starting at 0. A non-null {@code name}
     * makes it a named accumulator, whose updates streaming listeners see per batch.
     *
     * @throws IllegalArgumentException if another named accumulator of this engine has {@code name}
     */
    public LongAccumulator longAccumulator(String name) {
        return new LongAccumulator(runtime.accumulators().create(name, () -> 0L, Long::sum, Long::sum));
    }

    /** Returns a new accumulator of a {@code double} sum, starting at 0; {@code name} as for {@link #longAccumulator}. */
    public DoubleAccumulator doubleAccumulator(String name) {
        return new DoubleAccumulator(runtime.accumulators().create(name, () -> 0.0, Double::sum, Double::sum));
    }

    /**
     * Returns a new accumulator that collects what tasks add into an unmodifiable list (in the
     * order their attempts finish); {@code name} as for {@link #longAccumulator}.
     */
    public <T> Accumulator<T, List<T>> collectionAccumulator(String name) {
        // add appends to the attempt's own list; merge builds a new list, so no list is changed once shared.
        return new Accumulator<>(runtime.accumulators().<T, List<T>>create(name, ArrayList::new, (list, t) -> {
            list.add(t);
            return list;
        }, (a, b) -> {
            List<T> out = new ArrayList<>(a.size() + b.size());
            out.addAll(a);
            out.addAll(b);
            return java.util.Collections.unmodifiableList(out);
        }));
    }

    /**
     * Returns a new accumulator of any type: its value starts at {@code zero.get()}, a task's
     * {@code add(v)} folds {@code v} into its attempt's copy with {@code add}, and the copies of
     * succeeded attempts are combined into the value with {@code merge}. {@code add} may modify
     * and return its first argument (the attempt's own copy); {@code merge} must be associative
     * and commutative and must not modify its arguments. {@code name} as for {@link #longAccumulator}.
     */
    public <IN, A> Accumulator<IN, A> accumulator(String name, SupplierFunction<A> zero,
                                                   Function2<A, ? super IN, A> add, ReduceFunction<A> merge) {
        checkNotNull(zero, "zero");
        checkNotNull(add, "add");
        checkNotNull(merge, "merge");
        return new Accumulator<>(runtime.accumulators().create(name, zero, add, merge));
    }

    /** Returns the runtime this engine created and owns. */
    EngineRuntime runtime() {
        return runtime;
    }

    <T, U> List<U> runJob(DatasetNode<T> node, TaskFunction<T, U> function) {
        int n = node.numPartitions();
        List<Integer> all = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            all.add(p);
        }
        return runJob(node, all, function);
    }

    <T, U> List<U> runJob(DatasetNode<T> node, List<Integer> partitions, TaskFunction<T, U> function) {
        checkState(!closed, "engine '%s' is closed; create a new Engine to run more jobs", appName);
        return runtime.runJob(node, partitions, function);
    }

    @Override
    public String toString() {
        return "Engine(" + appName + ", parallelism " + parallelism + ")";
    }

    /** Settings of an engine; {@link #build()} checks them and starts it. */
    public static final class Builder {
        private String appName = "sluice";
        private int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());
        private String checkpointDir;
        private int maxTaskAttempts = 3;
        private Path localDir;
        private final Map<String, String> hadoopProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets the name used in logs. */
        public Builder appName(String name) {
            this.appName = checkNotNull(name, "appName");
            return this;
        }

        /** Sets the number of worker threads (default: the number of cores). */
        public Builder parallelism(int threads) {
            checkArgument(threads > 0, "parallelism must be > 0, got %s", threads);
            this.parallelism = threads;
            return this;
        }

        /**
         * Sets where checkpoints are written: a Hadoop FileSystem URI such as
         * {@code file:///tmp/ckpt} or {@code hdfs://namenode/ckpt}.
         */
        public Builder checkpointDir(String uri) {
            checkNotNull(uri, "checkpointDir");
            checkArgument(!uri.isBlank(), "checkpointDir must not be blank");
            this.checkpointDir = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
            return this;
        }

        /** Sets how many times a task is tried before its job fails (default 3). */
        public Builder maxTaskAttempts(int attempts) {
            checkArgument(attempts > 0, "maxTaskAttempts must be > 0, got %s", attempts);
            this.maxTaskAttempts = attempts;
            return this;
        }

        /** Sets the local directory for {@link StorageLevel#DISK} blocks (default: a new temp dir). */
        public Builder localDir(Path dir) {
            this.localDir = checkNotNull(dir, "localDir");
            return this;
        }

        /** Sets a Hadoop configuration property used for every file system access. */
        public Builder hadoopProperty(String key, String value) {
            hadoopProperties.put(checkNotNull(key, "key"), checkNotNull(value, "value"));
            return this;
        }

        /** Starts the engine. */
        public Engine build() {
            return new Engine(this);
        }
    }
}
