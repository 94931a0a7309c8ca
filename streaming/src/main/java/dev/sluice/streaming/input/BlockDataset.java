package dev.sluice.streaming.input;

import dev.sluice.core.Dataset;
import dev.sluice.core.Dependency;
import dev.sluice.core.Engine;
import dev.sluice.core.Partition;
import dev.sluice.core.SluiceException;
import dev.sluice.core.TaskContext;
import dev.sluice.core.dataset.IndexPartition;
import dev.sluice.core.scheduler.EngineRuntime;
import dev.sluice.core.storage.InputBlockId;
import java.util.Iterator;
import java.util.List;

/** A batch of received data: one partition per input block in the block store. */
public final class BlockDataset<T> extends Dataset<T> {
    private final List<InputBlockId> blocks;
    private final long batchMillis;

    /** Creates the dataset over {@code blocks} of batch {@code batchMillis}. */
    public BlockDataset(Engine engine, List<InputBlockId> blocks, long batchMillis) {
        super(engine);
        this.blocks = List.copyOf(blocks);
        this.batchMillis = batchMillis;
        setName("blocks of batch " + batchMillis);
    }

    @Override
    protected List<Partition> computePartitions() {
        return IndexPartition.range(blocks.size());
    }

    @Override
    protected List<Dependency> computeDependencies() {
        return List.of();
    }

    @Override
    public Iterator<T> compute(Partition partition, TaskContext context) {
        InputBlockId id = blocks.get(partition.index());
        List<T> records = EngineRuntime.of(engine()).blockStore().<T>get(id).orElseThrow(() -> new SluiceException(
                "input block " + id.name() + " of batch " + batchMillis + " ms is no longer in the block store: it was "
                        + "released after its batch; keep the stream's data longer with a window or remember duration"));
        return records.iterator();
    }
}
