package dev.sluice.core.dataset;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.TaskContext;
import dev.sluice.core.storage.DatasetBlockId;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One node of the lineage graph: what a {@link dev.sluice.core.Dataset} handle stands for. A node
 * knows its partitions, its dependencies on parent nodes and how to compute one partition from
 * them; it also carries the physical state the engine attaches to it (storage level, checkpoint
 * request and result). Handles ({@code Dataset}, {@code PairDataset}) are thin views over a node;
 * several handles may share one.
 *
 * <p>Reading a partition the way the engine does (block store, then checkpoint files, then
 * {@link #compute}) is {@link #iterator}, implemented by {@link PartitionReader}; completing a
 * checkpoint is the scheduler's {@code CheckpointCompletion}, which calls
 * {@link #completeCheckpoint}.
 *
 * <p>Threading: a node may be read by many tasks at once. Lazily computed partitions and
 * dependencies are computed once; the storage level and checkpoint state are volatile.
 *
 * @param <T> the element type
 */
public abstract class DatasetNode<T> {
    private final NodeServices services;
    private final int id;
    private volatile String name;
    private volatile List<Partition> partitions;
    private volatile List<NodeDependency> dependencies;
    private volatile StorageLevel storageLevel = StorageLevel.NONE;
    private volatile boolean checkpointRequested;
    private volatile DatasetNode<T> checkpointData;
    /** See {@link PartitionReader}'s design notes for the rules of this lock. */
    private final ReentrantReadWriteLock parentsLock = new ReentrantReadWriteLock();

    /** Creates a node with a fresh id of {@code services}' engine. */
    protected DatasetNode(NodeServices services) {
        this.services = checkNotNull(services, "services");
        this.id = services.nextDatasetId();
    }

    // ---------------------------------------------------------------- what subclasses provide

    /** Returns this node's partitions; called once. */
    protected abstract List<Partition> computePartitions();

    /** Returns this node's dependencies on its parents; called once. */
    protected abstract List<NodeDependency> computeDependencies();

    /** Computes the records of one partition from the parents. */
    protected abstract Iterator<T> compute(Partition partition, TaskContext context);

    /** Returns how this node's records are spread over partitions by key, if known. */
    public Optional<Partitioner> partitioner() {
        return Optional.empty();
    }

    /**
     * Drops this node's references to its parents (and anything it owns that only they fed, such
     * as its shuffle outputs): called once its checkpoint is complete, after which it is read from
     * the checkpoint files and never computed from its parents again. Without this, a chain of
     * nodes that each read the previous one (running state, incremental windows) would keep every
     * earlier node reachable, checkpoint or not. Subclasses that hold parents override it; their
     * {@link #compute} must take from the parents everything the returned iterator needs before
     * returning (it runs under a lock this method waits for), not read them lazily later.
     */
    protected void releaseParents() {
    }

    // ---------------------------------------------------------------- identity and lineage

    /** Returns this node's id, unique within its engine. */
    public final int id() {
        return id;
    }

    /** Returns the services of this node's engine. */
    public final NodeServices services() {
        return services;
    }

    /** Returns the name given with {@link #setName}, or the class's simple name. */
    public final String name() {
        String n = name;
        return n != null ? n : getClass().getSimpleName();
    }

    /** Names this node, for lineage printouts and error messages. */
    public final void setName(String newName) {
        this.name = checkNotNull(newName, "name");
    }

    /** Returns the partitions; after a checkpoint, those of the checkpoint files. */
    public final List<Partition> partitions() {
        DatasetNode<T> checkpointed = checkpointData;
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
    public final int numPartitions() {
        return partitions().size();
    }

    /**
     * Returns the dependencies on parents; after a checkpoint, a single one on the checkpoint
     * files, which is what truncates the lineage.
     */
    public final List<NodeDependency> dependencies() {
        DatasetNode<T> checkpointed = checkpointData;
        if (checkpointed != null) {
            return List.of(new OneToOneDependency(checkpointed));
        }
        List<NodeDependency> d = dependencies;
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

    @Override
    public String toString() {
        return name() + " [" + id + "]";
    }

    // ---------------------------------------------------------------- reading partitions

    /**
     * Returns the records of {@code partition} as the engine reads them: from the block store if
     * persisted and present, else from checkpoint files if checkpointed, else computed.
     */
    public final Iterator<T> iterator(Partition partition, TaskContext context) {
        return PartitionReader.read(this, partition, context);
    }

    final Iterator<T> computePartition(Partition partition, TaskContext context) {
        return compute(partition, context);
    }

    final ReentrantReadWriteLock parentsLock() {
        return parentsLock;
    }

    final boolean isCheckpointRequested() {
        return checkpointRequested;
    }

    final DatasetNode<T> checkpointData() {
        return checkpointData;
    }

    // ---------------------------------------------------------------- persistence

    /**
     * Keeps computed partitions at {@code level}.
     *
     * @throws IllegalStateException if a different level was already set
     */
    public final void persist(StorageLevel level) {
        checkNotNull(level, "level");
        StorageLevel current = storageLevel;
        checkState(current == StorageLevel.NONE || current == level,
                "dataset %s already persisted at %s; call unpersist() before persisting at %s", this, current, level);
        if (current == StorageLevel.NONE && level != StorageLevel.NONE) {
            storageLevel = level;
            services.registerPersisted(this);
        }
    }

    /** Drops the kept partitions and stops keeping new ones. */
    public final void unpersist() {
        storageLevel = StorageLevel.NONE;
        services.removeBlocksOf(id);
    }

    /** Returns the level set by {@link #persist}, or {@link StorageLevel#NONE}. */
    public final StorageLevel storageLevel() {
        return storageLevel;
    }

    /** Returns true if every partition is held in the block store right now. */
    public final boolean isFullyCached() {
        if (storageLevel == StorageLevel.NONE) {
            return false;
        }
        for (int p = 0; p < numPartitions(); p++) {
            if (!services.blockStore().contains(new DatasetBlockId(id, p))) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- checkpoints

    /** Marks this node for checkpointing; the next job that computes it writes its partitions. */
    public final void requestCheckpoint() {
        checkState(services.checkpointRunDir() != null,
                "cannot checkpoint dataset %s: the engine has no checkpoint directory; set one with "
                        + "Engine.builder().checkpointDir(\"file:///path/to/dir\") (any Hadoop FileSystem URI)", this);
        checkpointRequested = true;
    }

    /** Returns true once the checkpoint has been written and the lineage truncated. */
    public final boolean isCheckpointed() {
        return checkpointData != null;
    }

    /** Returns true if a checkpoint was asked for and is not complete yet. */
    public final boolean isCheckpointPending() {
        return checkpointRequested && checkpointData == null;
    }

    /** Returns the URI of this node's checkpoint directory. */
    public final String checkpointPath() {
        return services.checkpointRunDir() + "/" + id;
    }

    /**
     * Switches this node to its checkpoint files {@code data} and releases its parents; called by
     * the checkpoint protocol once every partition is written. See {@link PartitionReader} for
     * why the parents are released under the write lock.
     */
    public final void completeCheckpoint(DatasetNode<T> data) {
        checkpointData = data;
        // Forget the pre-checkpoint parents, so that they (and their shuffle outputs) can be freed.
        dependencies = null;
        ReentrantReadWriteLock.WriteLock lock = parentsLock.writeLock();
        lock.lock();
        try {
            releaseParents();
        } finally {
            lock.unlock();
        }
    }
}
