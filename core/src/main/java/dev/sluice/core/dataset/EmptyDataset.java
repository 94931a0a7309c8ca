package dev.sluice.core.dataset;

import dev.sluice.core.Dataset;
import dev.sluice.core.Dependency;
import dev.sluice.core.Engine;
import dev.sluice.core.Partition;
import dev.sluice.core.TaskContext;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** A dataset with no partitions and no records. */
public final class EmptyDataset<T> extends Dataset<T> {

    /** Creates the empty dataset. */
    public EmptyDataset(Engine engine) {
        super(engine);
        setName("empty");
    }

    @Override
    protected List<Partition> computePartitions() {
        return List.of();
    }

    @Override
    protected List<Dependency> computeDependencies() {
        return List.of();
    }

    @Override
    public Iterator<T> compute(Partition partition, TaskContext context) {
        return Collections.emptyIterator();
    }
}
