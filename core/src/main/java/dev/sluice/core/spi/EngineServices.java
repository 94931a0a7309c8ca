package dev.sluice.core.spi;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Partitioner;
import dev.sluice.core.dataset.CheckpointedDataset;
import dev.sluice.core.dataset.TextOutput;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.storage.DatasetBlockId;
import java.util.List;
import java.util.Optional;
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

    /** Runs {@code hook} after each dataset checkpoint partition file is written (crash tests stop the JVM there). */
    public void afterCheckpointPartitionWritten(Runnable hook) {
        runtime.nodes().checkpointFiles().afterPartitionWritten(hook);
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

    /**
     * Returns the runtime behind the engine, for tests and diagnostics that inspect the block
     * store or the shuffle registry. Stream code uses the methods above instead.
     */
    public EngineRuntime runtime() {
        return runtime;
    }
}
