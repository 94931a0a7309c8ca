package dev.sluice.core.dataset;

import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Reads a checkpointed dataset back from its part files: the root of a truncated lineage. A file
 * that is missing, truncated or corrupt fails the task with a {@code CheckpointException} naming
 * the file; it never yields partial data.
 */
public final class CheckpointedDataset<T> extends DatasetNode<T> {
    private final String directory;
    private final int numPartitions;
    private final Partitioner partitioner;

    /** Creates the reader of {@code numPartitions} part files under {@code directory}. */
    public CheckpointedDataset(NodeServices services, String directory, int numPartitions, Partitioner partitioner) {
        super(services);
        this.directory = directory;
        this.numPartitions = numPartitions;
        this.partitioner = partitioner;
        setName("checkpoint " + directory);
    }

    @Override
    protected List<Partition> computePartitions() {
        return IndexPartition.range(numPartitions);
    }

    @Override
    protected List<NodeDependency> computeDependencies() {
        return List.of();
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.ofNullable(partitioner);
    }

    @Override
    protected Iterator<T> compute(Partition partition, TaskContext context) {
        List<T> records = services().checkpointFiles().readPartition(directory, partition.index());
        return records.iterator();
    }

    /** Returns the directory the part files are in. */
    public String directory() {
        return directory;
    }
}
