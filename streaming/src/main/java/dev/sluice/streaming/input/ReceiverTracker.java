package dev.sluice.streaming.input;

import dev.sluice.core.spi.InputBlock;
import dev.sluice.core.spi.InputBlocks;
import dev.sluice.streaming.Time;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Allocates received data to batches. At each batch time, everything each receiver stored since
 * the previous batch time is cut into up to {@code parallelism} blocks, put in the block store,
 * and assigned to the batch: a record stored before the tick is in that batch, one stored after is
 * in the next. Blocks are released when their stream forgets their batch (or any later one).
 *
 * <p>Threading: {@link #allocate} runs on the generator thread; {@link #blocksOf} on the generator
 * thread; {@link #release} on the job thread. State is in concurrent maps.
 */
public final class ReceiverTracker {
    private final InputBlocks blockStore;
    private final int parallelism;
    private final Map<Integer, ReceiverSupervisor<?>> supervisors = new ConcurrentHashMap<>();
    private final Map<Integer, ConcurrentSkipListMap<Time, Allocation>> allocations = new ConcurrentHashMap<>();
    private final AtomicLong blockSequence = new AtomicLong();
    private final ReceiverGate gate = new ReceiverGate();

    /** The blocks of one stream in one batch, and how many records they hold. */
    public record Allocation(List<InputBlock> blocks, long records) {
    }

    /** Creates a tracker putting blocks into {@code blockStore}, cut in up to {@code parallelism} pieces. */
    public ReceiverTracker(InputBlocks blockStore, int parallelism) {
        this.blockStore = blockStore;
        this.parallelism = parallelism;
    }

    /** Adds a receiver's supervisor for stream {@code streamId}. */
    public void add(int streamId, ReceiverSupervisor<?> supervisor) {
        supervisor.useGate(gate);
        supervisors.put(streamId, supervisor);
        allocations.put(streamId, new ConcurrentSkipListMap<>());
    }

    /** Returns the gate every receiver's {@code store} waits on; backpressure closes it. */
    public ReceiverGate gate() {
        return gate;
    }

    /** Returns the supervisors, by stream id. */
    public Map<Integer, ReceiverSupervisor<?>> supervisors() {
        return Map.copyOf(supervisors);
    }

    /** Refuses every later store of every receiver (graceful stop, before the last batch). */
    public void seal() {
        supervisors.values().forEach(ReceiverSupervisor::seal);
    }

    /** Assigns what every receiver stored so far to batch {@code time}; returns the record count. */
    public long allocate(Time time) {
        long total = 0;
        for (Map.Entry<Integer, ReceiverSupervisor<?>> e : supervisors.entrySet()) {
            List<?> records = e.getValue().drain();
            allocations.get(e.getKey()).put(time, store(e.getKey(), records));
            total += records.size();
        }
        return total;
    }

    private Allocation store(int streamId, List<?> records) {
        List<InputBlock> blocks = new ArrayList<>();
        int n = records.size();
        int pieces = n == 0 ? 0 : Math.min(parallelism, n);
        for (int p = 0; p < pieces; p++) {
            List<?> piece = records.subList((int) ((long) p * n / pieces), (int) ((long) (p + 1) * n / pieces));
            InputBlock id = new InputBlock(streamId, blockSequence.getAndIncrement());
            blockStore.put(id, java.util.Collections.unmodifiableList(piece));
            blocks.add(id);
        }
        return new Allocation(blocks, n);
    }

    /** Returns the blocks of stream {@code streamId} in batch {@code time} (none if nothing was stored). */
    public Allocation blocksOf(int streamId, Time time) {
        Map<Time, Allocation> byTime = allocations.get(streamId);
        Allocation a = byTime == null ? null : byTime.get(time);
        return a != null ? a : new Allocation(List.of(), 0);
    }

    /**
     * Drops the blocks of stream {@code streamId} in every batch up to and including {@code time}:
     * also those of batches no dataset was ever built for (a window whose slide is longer than
     * its length skips batches), which would otherwise stay in the block store forever.
     */
    public void releaseUpTo(int streamId, Time time) {
        ConcurrentSkipListMap<Time, Allocation> byTime = allocations.get(streamId);
        if (byTime == null) {
            return;
        }
        Map<Time, Allocation> old = byTime.headMap(time, true);
        for (Allocation a : old.values()) {
            a.blocks().forEach(blockStore::remove);
        }
        old.clear();
    }
}
