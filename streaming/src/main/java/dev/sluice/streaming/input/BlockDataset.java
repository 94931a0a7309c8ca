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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A batch of received data in the block store: one partition per group of consecutive input
 * blocks. Blocks cut at the batch time are one per partition; blocks logged one per
 * {@code store} call (write-ahead log) are grouped into at most {@code parallelism} partitions of
 * about equal record counts, so many small stores do not make many small tasks.
 */
public final class BlockDataset<T> extends NarrowDataset<T> {
    private final List<List<InputBlock>> groups;
    private final long batchMillis;
    private final InputBlocks store;

    /** Creates the dataset over {@code blocks} of batch {@code batchMillis}, one partition per block. */
    public BlockDataset(Engine engine, List<InputBlock> blocks, long batchMillis) {
        this(blocks.stream().map(List::of).toList(), engine, batchMillis);
    }

    /** Creates the dataset over the blocks of {@code allocation}, in at most {@code parallelism} partitions. */
    public static <T> BlockDataset<T> of(Engine engine, ReceiverTracker.Allocation allocation, long batchMillis) {
        int n = allocation.handles().size();
        int parts = Math.min(n, engine.parallelism());
        if (n == parts) {
            return new BlockDataset<>(engine, allocation.blocks(), batchMillis);
        }
        List<List<InputBlock>> groups = new ArrayList<>();
        long total = allocation.records();
        long seen = 0;
        List<InputBlock> group = new ArrayList<>();
        for (var h : allocation.handles()) {
            group.add(h.id());
            seen += h.records();
            // Close the group once it reaches its share of the records (the last takes the rest).
            if (groups.size() < parts - 1 && seen * parts >= total * (groups.size() + 1)) {
                groups.add(group);
                group = new ArrayList<>();
            }
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return new BlockDataset<>(groups, engine, batchMillis);
    }

    private BlockDataset(List<List<InputBlock>> groups, Engine engine, long batchMillis) {
        super(engine, "blocks of batch " + batchMillis);
        this.groups = List.copyOf(groups);
        this.batchMillis = batchMillis;
        this.store = EngineServices.of(engine).inputBlocks();
    }

    @Override
    protected List<Partition> computePartitions() {
        return indexPartitions(groups.size());
    }

    @Override
    protected List<Dataset<?>> narrowParents() {
        return List.of();
    }

    @Override
    protected Iterator<T> compute(Partition partition, TaskContext context) {
        List<InputBlock> group = groups.get(partition.index());
        if (group.size() == 1) {
            return read(group.get(0)).iterator();
        }
        List<List<T>> blocks = new ArrayList<>(group.size());
        int records = 0;
        for (InputBlock id : group) {
            List<T> block = read(id);
            blocks.add(block);
            records += block.size();
        }
        // One list of references (copying them costs ~1 ns a record): a stream's flatMap iterator
        // over the blocks buffered each block and cost W1 ~10% more per record than a list.
        List<T> all = new ArrayList<>(records);
        blocks.forEach(all::addAll);
        return all.iterator();
    }

    private List<T> read(InputBlock id) {
        return store.<T>get(id).orElseThrow(() -> new SluiceException(
                "input block " + id.name() + " of batch " + batchMillis + " ms is no longer in the block store: it was "
                        + "released after its batch; keep the stream's data longer with a window or remember duration"));
    }
}
