package dev.sluice.streaming.input;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.spi.InputBlock;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.wal.ReceivedBlockHandle;
import dev.sluice.streaming.wal.TornTail;
import dev.sluice.streaming.wal.WalPosition;
import dev.sluice.streaming.wal.WalReadResult;
import dev.sluice.streaming.wal.WalReader;
import dev.sluice.streaming.wal.WalRecord;
import dev.sluice.streaming.wal.WriteAheadLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The driver-side log of batch allocations, next to the receivers' block log: one record per
 * stream and batch, written (and durable) before the batch is queued, so a restart knows which
 * logged blocks each batch had and which were never given to one.
 *
 * <p>Record (big-endian): int streamId | long batch time | int n | n × (long block sequence | long
 * records | long segment | long offset). Block additions need no record of their own here: each
 * block's record in the block log names its stream and sequence.
 *
 * <p>Threading: {@link #append} on the generator thread; reading at recovery, before start.
 */
final class AllocationLog {
    private static final int HEADER_BYTES = 16;
    private static final int BLOCK_BYTES = 32;

    private final WriteAheadLog log;

    /** One logged allocation. */
    record Entry(WalPosition position, int streamId, Time time, List<ReceivedBlockHandle.Logged> blocks) {
        Entry {
            blocks = List.copyOf(blocks);
        }
    }

    /** What {@link #readAll} found: every entry in log order, and the torn tails skipped. */
    record Contents(List<Entry> entries, List<TornTail> tornTails) {
    }

    AllocationLog(WriteAheadLog log) {
        this.log = checkNotNull(log, "log");
    }

    /** Logs that batch {@code time} of stream {@code streamId} holds {@code blocks}; returns once durable. */
    WalPosition append(int streamId, Time time, List<ReceivedBlockHandle.Logged> blocks) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + BLOCK_BYTES * blocks.size());
        b.putInt(streamId).putLong(time.millis()).putInt(blocks.size());
        for (ReceivedBlockHandle.Logged h : blocks) {
            b.putLong(h.id().sequence()).putLong(h.records()).putLong(h.position().segment())
                    .putLong(h.position().offset());
        }
        return log.append(b.array());
    }

    /**
     * Returns every allocation {@code reader} finds (read before a new log opens in the directory).
     *
     * @throws dev.sluice.streaming.wal.WalCorruptionException naming the file and offset if a record
     *                                                         in the middle of a segment is damaged
     */
    static Contents readAll(WalReader reader) {
        WalReadResult result = reader.readAll();
        List<Entry> entries = new ArrayList<>();
        for (WalRecord r : result.records()) {
            ByteBuffer b = ByteBuffer.wrap(r.payload());
            int streamId = b.getInt();
            Time time = new Time(b.getLong());
            int n = b.getInt();
            List<ReceivedBlockHandle.Logged> blocks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                InputBlock id = new InputBlock(streamId, b.getLong());
                long records = b.getLong();
                blocks.add(new ReceivedBlockHandle.Logged(id, records, new WalPosition(b.getLong(), b.getLong())));
            }
            entries.add(new Entry(r.position(), streamId, time, blocks));
        }
        return new Contents(entries, result.tornTails());
    }

    /** Deletes the segments wholly before {@code firstNeeded}; returns how many. */
    int deleteBefore(WalPosition firstNeeded) {
        return log.deleteBefore(firstNeeded);
    }

    void close() {
        log.close();
    }
}
