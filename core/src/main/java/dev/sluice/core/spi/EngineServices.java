package dev.sluice.core.spi;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Partitioner;
import dev.sluice.core.dataset.CheckpointedDataset;
import dev.sluice.core.dataset.TextOutput;
import dev.sluice.core.scheduler.DagScheduler;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.scheduler.StageListener;
import dev.sluice.core.scheduler.StageRun;
import java.time.Duration;
import dev.sluice.core.storage.DatasetBlockId;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;

/**
 * What the stream engine needs from one {@link Engine} beyond the API: input blocks, Hadoop
 * configuration (file streams list and read their files with it), deleting old checkpoints and
 * releasing shuffle outputs. Get it once per engine with {@link #of} and pass it on by constructor.
 *
 * <p>Threading: safe from any thread.
 */
public final class EngineServices {
    private final Engine engine;
    private final EngineRuntime runtime;
    private final InputBlocks inputBlocks;

    private EngineServices(Engine engine) {
        this.engine = engine;
        this.runtime = Handles.ACCESS.runtime(engine);
        this.inputBlocks = new InputBlocks(runtime.blockStore());
    }

    /** Returns the services of {@code engine}. */
    public static EngineServices of(Engine engine) {
        return new EngineServices(checkNotNull(engine, "engine"));
    }

    /** Returns the engine. */
    public Engine engine() {
        return engine;
    }

    /** Returns the store of received input blocks. */
    public InputBlocks inputBlocks() {
        return inputBlocks;
    }

    /** Returns the Hadoop configuration every file system access of the engine uses. */
    public Configuration hadoopConf() {
        return runtime.nodes().hadoopConf();
    }

    /** Returns true if {@code uri} exists on its file system (a directory an earlier run wrote, say). */
    public boolean exists(String uri) {
        return TextOutput.exists(runtime.nodes().hadoopConf(), uri);
    }

    /** Deletes the checkpoint directory {@code uri} of a dataset nothing reads any more. */
    public void deleteCheckpoint(String uri) {
        runtime.nodes().checkpointFiles().delete(uri);
    }

    /**
     * Clears the map outputs of the shuffles that feed {@code dataset}'s own stage (its lineage
     * through narrow dependencies, not past persisted or checkpointed datasets). For data kept for
     * its lineage but no longer read: if it is read again, the outputs are recomputed.
     */
    public void releaseShuffleOutputs(Dataset<?> dataset) {
        runtime.releaseShuffleOutputs(Handles.ACCESS.node(dataset));
    }

    /**
     * Returns the records of partition {@code partition} of {@code dataset} if the block store
     * holds them (the dataset is persisted and the partition was computed), else empty. Runs no
     * job and computes nothing: for diagnostics such as the size of a stream's state.
     */
    public <T> Optional<List<T>> storedPartition(Dataset<?> dataset, int partition) {
        return runtime.blockStore().get(new DatasetBlockId(Handles.ACCESS.node(dataset).id(), partition));
    }

    /**
     * Returns, by name, the updates of each named accumulator merged since the last call (those
     * with none are left out), and forgets them: the stream engine calls it once per batch.
     */
    public java.util.Map<String, Object> drainAccumulatorUpdates() {
        return runtime.accumulators().drainDeltas();
    }

    /** Returns the run directory this engine writes its dataset checkpoints to, if it has a checkpoint directory. */
    public Optional<String> checkpointRunDir() {
        return Optional.ofNullable(runtime.nodes().checkpointRunDir());
    }

    /** Returns the number of partition files in the dataset checkpoint directory {@code uri} (0 if missing). */
    public int checkpointPartitions(String uri) {
        return runtime.nodes().checkpointFiles().countPartitions(uri);
    }

    /**
     * Returns the dataset read back from the {@code numPartitions} part files of the dataset
     * checkpoint directory {@code uri} (one an earlier run wrote), partitioned by {@code partitioner}
     * (null if none); a missing or damaged file fails the job that reads it, naming the file.
     */
    public <T> Dataset<T> checkpointedDataset(String uri, int numPartitions, Partitioner partitioner) {
        return Handles.ACCESS.handle(engine, new CheckpointedDataset<T>(runtime.nodes(), uri, numPartitions,
                partitioner));
    }

    /** Writes a stream of records with the engine's serializer to {@code out} (left open), as checkpoints do. */
    public void writeRecords(java.util.Iterator<?> records, java.io.OutputStream out) {
        runtime.nodes().serializer().writeAll(records, out);
    }

    /** Reads a stream of records {@link #writeRecords} wrote from {@code in} (may read past its end). */
    public <T> List<T> readRecords(java.io.InputStream in) {
        return runtime.nodes().serializer().readAll(in);
    }

    /**
     * Reads a stream of records {@link #writeRecords} wrote from {@code in}, handing each to
     * {@code each} as it is read (may read past its end); returns how many.
     */
    public long readEachRecord(java.io.InputStream in, java.util.function.Consumer<Object> each) {
        return runtime.nodes().serializer().forEach(in, each);
    }

    /**
     * Cuts {@code dataset}'s lineage at {@code source}, a dataset with the same partitions and
     * records that depends on no other (a state checkpoint another module wrote and made durable):
     * from now on a partition not in the block store is read from {@code source}, and
     * {@code dataset} drops its parents, as a completed dataset checkpoint does.
     */
    public <T> void truncateLineage(Dataset<T> dataset, Dataset<T> source) {
        checkNotNull(dataset, "dataset");
        checkNotNull(source, "source");
        com.google.common.base.Preconditions.checkArgument(dataset.numPartitions() == source.numPartitions(),
                "cannot cut the lineage of %s at %s: %s partitions against %s", dataset, source,
                dataset.numPartitions(), source.numPartitions());
        Handles.ACCESS.node(dataset).completeCheckpoint(Handles.ACCESS.node(source));
    }

    /**
     * Calls {@code observer} with the report of every stage of this engine's jobs that ends from
     * now on, on the thread that ended it (a worker; return quickly), before the stages that read
     * it start and before its job returns. Close the returned handle to stop. Without observers
     * the scheduler counts nothing; with one it sums a stage's figures once per task attempt.
     */
    public AutoCloseable observeStages(Consumer<StageReport> observer) {
        checkNotNull(observer, "observer");
        DagScheduler scheduler = runtime.scheduler();
        StageListener listener = run -> observer.accept(report(run));
        scheduler.addStageListener(listener);
        return () -> scheduler.removeStageListener(listener);
    }

    private static StageReport report(StageRun r) {
        return new StageReport(r.jobId(), r.jobTag(), r.stageId(), r.shuffleMap(), r.parentStageIds(), r.datasetIds(),
                r.datasetNames(), r.tasks(), r.attempts(), r.failedAttempts(), Duration.ofNanos(r.durationNanos()),
                r.shuffleRecords(), r.succeeded());
    }

    /**
     * Tags the jobs the calling thread runs from now on (on any engine) with {@code tag}, null for
     * none, and returns the previous tag; stage reports carry it ({@link StageReport#jobTag()}).
     */
    public static Object setJobTag(Object tag) {
        return DagScheduler.setJobTag(tag);
    }

    /**
     * Returns the runtime behind the engine, for tests and diagnostics that inspect the block
     * store or the shuffle registry. Stream code uses the methods above instead.
     */
    public EngineRuntime runtime() {
        return runtime;
    }
}
