package dev.sluice.core.scheduler;

import dev.sluice.core.Dataset;
import dev.sluice.core.Dependency;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.Engine;
import dev.sluice.core.broadcast.BroadcastStore;
import dev.sluice.core.checkpoint.CheckpointFiles;
import dev.sluice.core.serializer.KryoSerializer;
import dev.sluice.core.shuffle.ShuffleDependency;
import dev.sluice.core.shuffle.ShuffleManager;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.core.storage.DatasetBlockId;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one {@link Engine} owns behind its public face: worker pool and scheduler, block
 * store, shuffle manager, serializer, checkpoint files, Hadoop configuration and id counters.
 *
 * <p>Threading: every member is safe to use from any thread.
 *
 * <p>Release of shuffle outputs and cached blocks: shuffle outputs live in their
 * {@code ShuffleDependency}, so they are garbage as soon as no dataset that reads them is
 * reachable. Cached blocks are tied to their dataset with a {@link Cleaner}, so they are dropped
 * once it is unreachable even if nobody calls {@code unpersist}; the stream engine also
 * unpersists old batches eagerly.
 */
public final class EngineRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineRuntime.class);
    private static final Cleaner CLEANER = Cleaner.create();
    private static volatile Function<Engine, EngineRuntime> accessor;

    private final Engine engine;
    private final KryoSerializer serializer = new KryoSerializer();
    private final BroadcastStore broadcasts = new BroadcastStore(serializer);
    private final ShuffleManager shuffleManager = new ShuffleManager();
    private final BlockStore blockStore;
    private final Configuration hadoopConf;
    private final CheckpointFiles checkpointFiles;
    private final DagScheduler scheduler;
    private final AtomicInteger datasetIds = new AtomicInteger();
    private final AtomicInteger shuffleIds = new AtomicInteger();

    /** Creates the runtime of {@code engine}. */
    public EngineRuntime(Engine engine, int parallelism, int maxTaskAttempts, Path localDir,
                         Map<String, String> hadoopProperties) {
        this.engine = engine;
        this.blockStore = new BlockStore(serializer, localDir);
        this.hadoopConf = new Configuration();
        hadoopProperties.forEach(hadoopConf::set);
        this.checkpointFiles = new CheckpointFiles(serializer, hadoopConf);
        this.scheduler = new DagScheduler(engine, parallelism, maxTaskAttempts);
    }

    /** Lets {@link Engine} hand out its runtime; called once, by {@code Engine}'s static initializer. */
    public static void installAccessor(Function<Engine, EngineRuntime> engineToRuntime) {
        accessor = engineToRuntime;
    }

    /** Returns the runtime of {@code engine}. */
    public static EngineRuntime of(Engine engine) {
        return accessor.apply(engine);
    }

    /** Returns a fresh dataset id. */
    public int nextDatasetId() {
        return datasetIds.getAndIncrement();
    }

    /** Returns a fresh shuffle id. */
    public int nextShuffleId() {
        return shuffleIds.getAndIncrement();
    }

    /** Registers a shuffle, so it can be found by id; its outputs live as long as {@code dependency}. */
    public void registerShuffle(ShuffleDependency<?, ?, ?> dependency) {
        shuffleManager.register(dependency);
    }

    /** Arranges for {@code dataset}'s cached blocks to be dropped once it is unreachable. */
    public void registerPersisted(Dataset<?> dataset) {
        int id = dataset.id();
        BlockStore blocks = blockStore;
        CLEANER.register(dataset, () -> removeBlocks(blocks, id));
    }

    /** Drops the cached blocks of dataset {@code datasetId}. */
    public void removeBlocksOf(int datasetId) {
        removeBlocks(blockStore, datasetId);
    }

    private static void removeBlocks(BlockStore blocks, int datasetId) {
        blocks.removeIf(b -> b instanceof DatasetBlockId d && d.datasetId() == datasetId);
    }

    /**
     * Clears the map outputs of the shuffles that feed {@code dataset}'s own stage: its lineage
     * through narrow dependencies, not past persisted or checkpointed datasets. For data that is
     * kept for its lineage but no longer read: if it is read again, the missing outputs are
     * recomputed from their parents (the scheduler treats a missing output as lost, not as an
     * error), so this trades memory now for work only in that case.
     */
    public void releaseShuffleOutputs(Dataset<?> dataset) {
        Set<Integer> visited = new HashSet<>();
        Deque<Dataset<?>> toVisit = new ArrayDeque<>();
        toVisit.push(dataset);
        while (!toVisit.isEmpty()) {
            Dataset<?> current = toVisit.pop();
            if (!visited.add(current.id())) {
                continue;
            }
            for (Dependency dep : current.dependencies()) {
                if (dep instanceof ShuffleDependency<?, ?, ?> shuffle) {
                    shuffle.clearOutputs();
                } else if (dep.parent().storageLevel() == StorageLevel.NONE && !dep.parent().isCheckpointed()) {
                    toVisit.push(dep.parent());
                }
            }
        }
    }

    /** Logs that {@code dataset}'s checkpoint at {@code path} is complete. */
    public void logCheckpoint(Dataset<?> dataset, String path) {
        log.debug("checkpointed dataset {} to {}", dataset, path);
    }

    /** Returns the engine. */
    public Engine engine() {
        return engine;
    }

    /** Returns the serializer. */
    public KryoSerializer serializer() {
        return serializer;
    }

    /** Returns the store of this engine's broadcast variables. */
    public BroadcastStore broadcasts() {
        return broadcasts;
    }

    /** Returns the shuffle manager. */
    public ShuffleManager shuffleManager() {
        return shuffleManager;
    }

    /** Returns the block store. */
    public BlockStore blockStore() {
        return blockStore;
    }

    /** Returns the Hadoop configuration for file systems. */
    public Configuration hadoopConf() {
        return hadoopConf;
    }

    /** Returns the checkpoint file reader and writer. */
    public CheckpointFiles checkpointFiles() {
        return checkpointFiles;
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
