package dev.sluice.streaming.output;

import dev.sluice.core.Dataset;
import dev.sluice.core.Partition;
import dev.sluice.core.TaskContext;
import dev.sluice.core.spi.NarrowDataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.TransactionalSink;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The write job of one batch of a transactional sink: partition {@code i} hands partition
 * {@code i} of the batch's dataset to {@link TransactionalSink#writePartition} and yields nothing.
 * Computing it is an ordinary job, so a failed task is retried like any other (and the sink sees
 * the partition again).
 */
final class SinkWriteDataset<T> extends NarrowDataset<Void> {
    private final Dataset<T> parent;
    private final TransactionalSink<T> sink;
    private final long batchId;

    SinkWriteDataset(Dataset<T> parent, TransactionalSink<T> sink, long batchId, String outputUid) {
        super(parent.engine(), "write of batch " + batchId + " to output '" + outputUid + "'");
        this.parent = parent;
        this.sink = sink;
        this.batchId = batchId;
    }

    @Override
    protected List<Partition> computePartitions() {
        return indexPartitions(parent.numPartitions());
    }

    @Override
    protected List<Dataset<?>> narrowParents() {
        return List.of(parent);
    }

    @Override
    protected Iterator<Void> compute(Partition partition, TaskContext context) {
        try {
            sink.writePartition(batchId, partition.index(), read(parent, partition.index(), context));
        } catch (Exception e) {
            throw UserExceptions.wrap(e);
        }
        return Collections.emptyIterator();
    }
}
