package dev.sluice.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.checkpoint.CheckpointFiles;
import dev.sluice.core.dataset.CheckpointedDataset;
import dev.sluice.core.dataset.EmptyDataset;
import dev.sluice.core.dataset.ParallelCollectionDataset;
import dev.sluice.core.dataset.TextFileDataset;
import dev.sluice.core.dataset.UnionDataset;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.scheduler.TaskFunction;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    static {
        EngineRuntime.installAccessor(engine -> engine.runtime);
    }

    private final String appName;
    private final int parallelism;
    private final String checkpointDir;
    private final String checkpointRunDir;
    private final EngineRuntime runtime;
    private volatile boolean closed;

    private Engine(Builder b) {
        this.appName = b.appName;
        this.parallelism = b.parallelism;
        this.checkpointDir = b.checkpointDir;
        this.checkpointRunDir = b.checkpointDir == null ? null : b.checkpointDir + "/run-" + UUID.randomUUID();
        Path localDir = b.localDir != null ? b.localDir
                : Path.of(System.getProperty("java.io.tmpdir"), "sluice-" + UUID.randomUUID());
        this.runtime = new EngineRuntime(this, parallelism, b.maxTaskAttempts, localDir, b.hadoopProperties);
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
        return new ParallelCollectionDataset<>(this, data, numPartitions);
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
        return new TextFileDataset(this, runtime.hadoopConf(), uri);
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
        return new EmptyDataset<>(this);
    }

    /** Returns the union of {@code datasets}: their partitions side by side, no data moved. */
    public <T> Dataset<T> union(List<? extends Dataset<T>> datasets) {
        checkNotNull(datasets, "datasets");
        checkArgument(!datasets.isEmpty(), "datasets must not be empty; use emptyDataset() for no data");
        for (Dataset<T> d : datasets) {
            checkNotNull(d, "datasets must not contain null");
            checkArgument(d.engine() == this, "dataset %s belongs to another engine", d);
        }
        return new UnionDataset<>(this, datasets);
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

    /** This engine's own directory under the checkpoint directory (dataset ids restart per engine). */
    String checkpointRunDir() {
        return checkpointRunDir;
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

    <T, U> List<U> runJob(Dataset<T> dataset, TaskFunction<T, U> function) {
        List<Integer> all = new ArrayList<>(dataset.numPartitions());
        for (int p = 0; p < dataset.numPartitions(); p++) {
            all.add(p);
        }
        return runJob(dataset, all, function);
    }

    <T, U> List<U> runJob(Dataset<T> dataset, List<Integer> partitions, TaskFunction<T, U> function) {
        checkState(!closed, "engine '%s' is closed; create a new Engine to run more jobs", appName);
        List<U> results = runtime.scheduler().runJob(dataset, partitions, function);
        completeCheckpoints(dataset);
        return results;
    }

    /**
     * Finishes the checkpoints of the datasets marked in {@code dataset}'s lineage: writes the
     * partitions the job did not compute (one more job), then truncates their lineage.
     */
    private void completeCheckpoints(Dataset<?> dataset) {
        List<Dataset<?>> pending = pendingCheckpoints(dataset);
        for (Dataset<?> d : pending) {
            completeCheckpoint(d);
        }
    }

    private static List<Dataset<?>> pendingCheckpoints(Dataset<?> dataset) {
        List<Dataset<?>> out = new ArrayList<>();
        Set<Integer> visited = new HashSet<>();
        Deque<Dataset<?>> toVisit = new ArrayDeque<>();
        toVisit.push(dataset);
        while (!toVisit.isEmpty()) {
            Dataset<?> current = toVisit.pop();
            if (!visited.add(current.id()) || current.isCheckpointed()) {
                continue;
            }
            if (current.isCheckpointPending()) {
                out.add(current);
            }
            for (Dependency dep : current.dependencies()) {
                toVisit.push(dep.parent());
            }
        }
        return out;
    }

    private <T> void completeCheckpoint(Dataset<T> d) {
        synchronized (d) {
            if (!d.isCheckpointPending()) {
                return;
            }
            CheckpointFiles files = runtime.checkpointFiles();
            String path = d.checkpointPath();
            List<Integer> missing = new ArrayList<>();
            for (int p = 0; p < d.numPartitions(); p++) {
                if (!files.hasPartition(path, p)) {
                    missing.add(p);
                }
            }
            if (!missing.isEmpty()) {
                runtime.scheduler().runJob(d, missing, (ctx, it) -> {
                    if (!files.hasPartition(path, ctx.partitionId())) {
                        files.writePartition(path, ctx.partitionId(), it);
                    }
                    return Boolean.TRUE;
                });
            }
            d.completeCheckpoint(new CheckpointedDataset<>(this, path, d.numPartitions(),
                    d.partitioner().orElse(null)));
        }
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
