package dev.sluice.core.scheduler;

import dev.sluice.core.StorageLevel;
import dev.sluice.core.broadcast.BroadcastStore;
import dev.sluice.core.accumulator.AccumulatorRegistry;
import dev.sluice.core.checkpoint.CheckpointFiles;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.NodeDependency;
import dev.sluice.core.dataset.NodeServices;
import dev.sluice.core.serializer.KryoSerializer;
import dev.sluice.core.shuffle.ShuffleDependency;
import dev.sluice.core.shuffle.ShuffleRegistry;
import dev.sluice.core.storage.BlockStore;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * Everything one {@code Engine} owns behind its public face, wired by constructor: the node
 * services (ids, block store, checkpoint files, serializer, Hadoop configuration), the executor
 * backend and the scheduler over it, the shuffle registry, the checkpoint protocol and the
 * broadcast store. The engine creates its runtime in its own constructor and passes it down;
 * nothing looks it up (a broadcast handle read back from bytes finds its value by id in
 * {@code BroadcastStore}'s JVM-wide table, the one seam a cluster backend will replace).
 *
 * <p>Threading: every member is safe to use from any thread.
 *
 * <p>Release of shuffle outputs and cached blocks: shuffle outputs live in their
 * {@code ShuffleDependency}, so they are garbage as soon as no node that reads them is
 * reachable. Cached blocks are tied to their node with a {@link java.lang.ref.Cleaner}, so they
 * are dropped once it is unreachable even if nobody calls {@code unpersist}; the stream engine
 * also unpersists old batches eagerly.
 */
public final class EngineRuntime implements AutoCloseable {
    private final ShuffleRegistry shuffleRegistry = new ShuffleRegistry();
    private final AccumulatorRegistry accumulators = new AccumulatorRegistry();
    private final BlockStore blockStore;
    private final NodeServices nodes;
    private final DagScheduler scheduler;
    private final CheckpointCompletion checkpoints;
    private final BroadcastStore broadcasts;

    /**
     * Creates the runtime of an engine; {@code checkpointRunDir} is null when it has no
     * checkpoint directory.
     */
    public EngineRuntime(int parallelism, int maxTaskAttempts, Path localDir, Map<String, String> hadoopProperties,
                         String checkpointRunDir) {
        this(new LocalExecutorBackend(parallelism), maxTaskAttempts, localDir, hadoopProperties, checkpointRunDir);
    }

    /** Creates the runtime running its tasks on {@code backend}. */
    public EngineRuntime(ExecutorBackend backend, int maxTaskAttempts, Path localDir,
                         Map<String, String> hadoopProperties, String checkpointRunDir) {
        KryoSerializer serializer = new KryoSerializer();
        this.blockStore = new BlockStore(serializer, localDir);
        Configuration hadoopConf = new Configuration();
        hadoopProperties.forEach(hadoopConf::set);
        CheckpointFiles checkpointFiles = new CheckpointFiles(serializer, hadoopConf);
        this.nodes = new NodeServices(serializer, blockStore, checkpointFiles, hadoopConf, checkpointRunDir);
        this.scheduler = new DagScheduler(backend, shuffleRegistry, maxTaskAttempts);
        this.checkpoints = new CheckpointCompletion(scheduler, checkpointFiles);
        this.broadcasts = new BroadcastStore(serializer);
    }

    /**
     * Runs {@code function} over {@code partitions} of {@code node}, then completes the
     * checkpoints pending in its lineage.
     */
    public <T, U> List<U> runJob(DatasetNode<T> node, List<Integer> partitions, TaskFunction<T, U> function) {
        List<U> results = scheduler.runJob(node, partitions, function);
        checkpoints.completeAfterJob(node);
        return results;
    }

    /**
     * Clears the map outputs of the shuffles that feed {@code node}'s own stage: its lineage
     * through narrow dependencies, not past persisted or checkpointed nodes. For data that is
     * kept for its lineage but no longer read: if it is read again, the missing outputs are
     * recomputed from their parents (the scheduler treats a missing output as lost, not as an
     * error), so this trades memory now for work only in that case.
     */
    public void releaseShuffleOutputs(DatasetNode<?> node) {
        Set<Integer> visited = new HashSet<>();
        Deque<DatasetNode<?>> toVisit = new ArrayDeque<>();
        toVisit.push(node);
        while (!toVisit.isEmpty()) {
            DatasetNode<?> current = toVisit.pop();
            if (!visited.add(current.id())) {
                continue;
            }
            for (NodeDependency dep : current.dependencies()) {
                if (dep instanceof ShuffleDependency<?, ?, ?> shuffle) {
                    shuffle.clearOutputs();
                } else if (dep.parent().storageLevel() == StorageLevel.NONE && !dep.parent().isCheckpointed()) {
                    toVisit.push(dep.parent());
                }
            }
        }
    }

    /** Returns the services every node of this engine is built with (serializer, files, configuration). */
    public NodeServices nodes() {
        return nodes;
    }

    /** Returns the store of this engine's broadcast variables. */
    public BroadcastStore broadcasts() {
        return broadcasts;
    }

    /** Returns the engine's accumulators (ids, and the named ones by name). */
    public AccumulatorRegistry accumulators() {
        return accumulators;
    }

    /** Returns the weak registry of shuffles by id. */
    public ShuffleRegistry shuffleRegistry() {
        return shuffleRegistry;
    }

    /** Returns the block store. */
    public BlockStore blockStore() {
        return blockStore;
    }

    /** Returns the scheduler. */
    public DagScheduler scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.close();
        blockStore.close();
        broadcasts.destroyAll();
    }
}
