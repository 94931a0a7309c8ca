package dev.sluice.core.dataset;

import dev.sluice.core.checkpoint.CheckpointFiles;
import dev.sluice.core.serializer.KryoSerializer;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.core.storage.DatasetBlockId;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;

/**
 * What the nodes of one engine share, handed to every node by its constructor: id counters, the
 * block store their cached partitions go to, the checkpoint files, the serializer and the Hadoop
 * configuration. Created by the engine runtime, one per engine.
 *
 * <p>Threading: every member is safe to use from any thread.
 */
public final class NodeServices {
    private static final Cleaner CLEANER = Cleaner.create();

    private final KryoSerializer serializer;
    private final BlockStore blockStore;
    private final CheckpointFiles checkpointFiles;
    private final Configuration hadoopConf;
    private final String checkpointRunDir;
    private final AtomicInteger datasetIds = new AtomicInteger();
    private final AtomicInteger shuffleIds = new AtomicInteger();

    /** Creates the services; {@code checkpointRunDir} is null when the engine has no checkpoint directory. */
    public NodeServices(KryoSerializer serializer, BlockStore blockStore, CheckpointFiles checkpointFiles,
                        Configuration hadoopConf, String checkpointRunDir) {
        this.serializer = serializer;
        this.blockStore = blockStore;
        this.checkpointFiles = checkpointFiles;
        this.hadoopConf = hadoopConf;
        this.checkpointRunDir = checkpointRunDir;
    }

    /** Returns a fresh dataset id. */
    public int nextDatasetId() {
        return datasetIds.getAndIncrement();
    }

    /** Returns a fresh shuffle id. */
    public int nextShuffleId() {
        return shuffleIds.getAndIncrement();
    }

    /** Returns the serializer. */
    public KryoSerializer serializer() {
        return serializer;
    }

    /** Returns the block store. */
    public BlockStore blockStore() {
        return blockStore;
    }

    /** Returns the checkpoint file reader and writer. */
    public CheckpointFiles checkpointFiles() {
        return checkpointFiles;
    }

    /** Returns the Hadoop configuration for file systems. */
    public Configuration hadoopConf() {
        return hadoopConf;
    }

    /** Returns this engine's own directory under the checkpoint directory, or null if there is none. */
    public String checkpointRunDir() {
        return checkpointRunDir;
    }

    /** Arranges for {@code node}'s cached blocks to be dropped once it is unreachable. */
    void registerPersisted(DatasetNode<?> node) {
        int id = node.id();
        BlockStore blocks = blockStore;
        CLEANER.register(node, () -> removeBlocks(blocks, id));
    }

    /** Drops the cached blocks of dataset {@code datasetId}. */
    void removeBlocksOf(int datasetId) {
        removeBlocks(blockStore, datasetId);
    }

    private static void removeBlocks(BlockStore blocks, int datasetId) {
        blocks.removeIf(b -> b instanceof DatasetBlockId d && d.datasetId() == datasetId);
    }
}
