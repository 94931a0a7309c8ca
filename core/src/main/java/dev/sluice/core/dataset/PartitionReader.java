package dev.sluice.core.dataset;

import dev.sluice.core.Partition;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.TaskContext;
import dev.sluice.core.storage.BlockId;
import dev.sluice.core.storage.DatasetBlockId;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * Reads one partition of a node the way a task needs it: from the block store when the node is
 * persisted and the block is there (else computes it and stores it), from the checkpoint files
 * once the node is checkpointed, and otherwise computes it from the parents, writing it to the
 * checkpoint directory on the way when a checkpoint is pending.
 *
 * <h2>Design notes: the parents lock</h2>
 *
 * <p>Each node has a read-write lock, {@code parentsLock}, that guards its references to its
 * parents against the checkpoint protocol releasing them.
 * <ul>
 *   <li><b>Read side:</b> held by {@link #read} while it decides where the partition comes from
 *       and while {@code compute} builds the iterator from the parents. Held per call, not per
 *       record: {@code compute} must take from its parents everything its iterator needs before
 *       it returns (a parent's iterator, a list), never look a parent up lazily later.</li>
 *   <li><b>Write side:</b> held only by {@link DatasetNode#completeCheckpoint} around
 *       {@code releaseParents}, after the checkpoint data is published. So a task that started
 *       before the checkpoint completed finishes with the parents it saw, and a task that starts
 *       after it sees the checkpoint data and never touches the parents.</li>
 *   <li><b>Order:</b> a node takes its own read lock and then, through {@code compute}, those of
 *       its parents, always child before parent; the write lock is taken with no other lock of
 *       the graph held (the protocol holds only the node's monitor, which tasks never take). So
 *       the locks cannot deadlock.</li>
 *   <li><b>Reentrancy:</b> a node read twice in one task (a self-union) takes its read lock twice,
 *       which a {@code ReentrantReadWriteLock} allows.</li>
 * </ul>
 *
 * <p>Threading: stateless; safe from any thread.
 */
final class PartitionReader {
    private PartitionReader() {
    }

    static <T> Iterator<T> read(DatasetNode<T> node, Partition partition, TaskContext context) {
        if (node.storageLevel() != StorageLevel.NONE) {
            return cachedOrCompute(node, partition, context);
        }
        return computeOrReadCheckpoint(node, partition, context);
    }

    private static <T> Iterator<T> cachedOrCompute(DatasetNode<T> node, Partition partition, TaskContext context) {
        NodeServices services = node.services();
        BlockId blockId = new DatasetBlockId(node.id(), partition.index());
        Optional<List<T>> cached = services.blockStore().get(blockId);
        if (cached.isPresent()) {
            return cached.get().iterator();
        }
        List<T> values = Iterators.toList(computeOrReadCheckpoint(node, partition, context));
        StorageLevel level = node.storageLevel();
        if (level != StorageLevel.NONE) {
            services.blockStore().put(blockId, values, level);
        }
        return values.iterator();
    }

    private static <T> Iterator<T> computeOrReadCheckpoint(DatasetNode<T> node, Partition partition,
                                                           TaskContext context) {
        Lock lock = node.parentsLock().readLock();
        lock.lock();
        try {
            DatasetNode<T> checkpointed = node.checkpointData();
            if (checkpointed != null) {
                return checkpointed.iterator(partition, context);
            }
            if (node.isCheckpointRequested()) {
                List<T> values = Iterators.toList(node.computePartition(partition, context));
                node.services().checkpointFiles()
                        .writePartition(node.checkpointPath(), partition.index(), values.iterator());
                return values.iterator();
            }
            return node.computePartition(partition, context);
        } finally {
            lock.unlock();
        }
    }
}
