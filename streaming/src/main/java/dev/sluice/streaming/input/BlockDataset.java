package dev.sluice.streaming.input;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Partition;
import dev.sluice.core.SluiceException;
import dev.sluice.core.TaskContext;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.spi.InputBlock;
import dev.sluice.core.spi.InputBlocks;
import dev.sluice.core.spi.NarrowDataset;
import java.util.Iterator;
import java.util.List;

/** A batch of received data: one partition per input block in the block store. */
public final class BlockDataset<T> extends NarrowDataset<T> {
    private final List<InputBlock> blocks;
    private final long batchMillis;
    private final InputBlocks store;

    /** Creates the dataset over {@code blocks} of batch {@code batchMillis}. */
    public BlockDataset(Engine engine, List<InputBlock> blocks, long batchMillis) {
        super(engine, "blocks of batch " + batchMillis);
        this.blocks = List.copyOf(blocks);
        this.batchMillis = batchMillis;
        this.store = EngineServices.of(engine).inputBlocks();
    }

    @Override
    protected List<Partition> computePartitions() {
        return indexPartitions(blocks.size());
    }

    @Override
    protected List<Dataset<?>> narrowParents() {
        return List.of();
    }

    @Override
    protected Iterator<T> compute(Partition partition, TaskContext context) {
        InputBlock id = blocks.get(partition.index());
        List<T> records = store.<T>get(id).orElseThrow(() -> new SluiceException(
                "input block " + id.name() + " of batch " + batchMillis + " ms is no longer in the block store: it was "
                        + "released after its batch; keep the stream's data longer with a window or remember duration"));
        return records.iterator();
    }
}
