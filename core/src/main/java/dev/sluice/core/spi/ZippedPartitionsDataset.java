package dev.sluice.core.spi;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import dev.sluice.core.failure.UserCodeException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Partition {@code i} of several datasets with the same number of partitions, read side by side
 * by one function: narrow, no data is moved. With co-partitioned keyed parents (the same
 * partitioner), partition {@code i} of every parent holds the same keys, so a per-key merge of
 * the parents needs no shuffle; this is how windows merge a carried result with new batches.
 */
public final class ZippedPartitionsDataset<T, R> extends NarrowDataset<R> {
    private volatile List<Dataset<T>> parents;
    private final ZipFunction<T, R> function;
    private final Partitioner partitioner;

    /** Turns partition {@code i} of every parent, in parent order, into partition {@code i}. */
    @FunctionalInterface
    public interface ZipFunction<T, R> extends Serializable {
        /** Returns the records of the zipped partition. */
        Iterator<R> apply(List<Iterator<T>> partitions) throws Exception;
    }

    private ZippedPartitionsDataset(Engine engine, List<? extends Dataset<T>> parents, ZipFunction<T, R> function,
                                    Partitioner partitioner, String operation) {
        super(engine, operation);
        checkArgument(!parents.isEmpty(), "%s needs at least one dataset", operation);
        this.parents = List.copyOf(parents);
        int n = this.parents.get(0).numPartitions();
        for (Dataset<T> parent : this.parents) {
            checkArgument(parent.numPartitions() == n,
                    "cannot zip the partitions of %s (%s partitions) with those of %s (%s partitions)",
                    this.parents.get(0), n, parent, parent.numPartitions());
        }
        this.function = function;
        this.partitioner = partitioner;
    }

    /**
     * Returns the zip of {@code parents}; {@code partitioner} (may be null) is how the result is
     * partitioned, when the function keeps keys in place.
     *
     * @throws IllegalArgumentException if there are no parents or their partition counts differ
     */
    public static <T, R> Dataset<R> of(Engine engine, List<? extends Dataset<T>> parents, ZipFunction<T, R> function,
                                       Partitioner partitioner, String operation) {
        return new ZippedPartitionsDataset<>(engine, parents, function, partitioner, operation).toDataset();
    }

    @Override
    protected List<Partition> computePartitions() {
        return indexPartitions(parents.get(0).numPartitions());
    }

    @Override
    protected List<Dataset<?>> narrowParents() {
        return List.copyOf(parents);
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.ofNullable(partitioner);
    }

    @Override
    protected Iterator<R> compute(Partition partition, TaskContext context) {
        List<Dataset<T>> from = parents;
        List<Iterator<T>> inputs = new ArrayList<>(from.size());
        for (Dataset<T> parent : from) {
            inputs.add(read(parent, partition.index(), context));
        }
        try {
            return function.apply(inputs);
        } catch (Exception e) {
            throw UserCodeException.wrap(e);
        }
    }

    @Override
    protected void releaseParents() {
        parents = null;
    }
}
