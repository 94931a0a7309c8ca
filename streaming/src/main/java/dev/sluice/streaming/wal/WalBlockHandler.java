package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.InputBlock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Logs each block to the write-ahead log, then hands it to the in-memory handler it wraps. A
 * block that is no longer in memory (after a restart) is read back from its log position.
 *
 * <p>Log record of a block: int streamId | long block sequence | the records, as a string block
 * or in Kryo ({@link BlockPayload}). Logging first means a {@code store} that returns has a
 * durable block; a store that throws may have put nothing in memory.
 *
 * <p>Threading: safe from any thread; concurrent stores share the log's group commit.
 */
public final class WalBlockHandler implements ReceivedBlockHandler {
    private final MemoryBlockHandler memory;
    private final WriteAheadLog wal;

    /** A block found in the log during recovery. */
    public record RecoveredBlock(ReceivedBlockHandle.Logged handle, List<?> records) {
        public RecoveredBlock {
            checkNotNull(handle, "handle");
            records = Collections.unmodifiableList(new ArrayList<>(records));
        }
    }

    public WalBlockHandler(MemoryBlockHandler memory, WriteAheadLog wal) {
        this.memory = checkNotNull(memory, "memory");
        this.wal = checkNotNull(wal, "wal");
    }

    @Override
    public ReceivedBlockHandle store(InputBlock id, List<?> records) {
        checkNotNull(id, "id");
        BlockPayload.Encoded payload = BlockPayload.encode(id, records);
        WalPosition position = wal.append(payload.bytes(), payload.length());
        memory.store(id, records);
        return new ReceivedBlockHandle.Logged(id, records.size(), position);
    }

    @Override
    public <T> List<T> read(ReceivedBlockHandle handle) {
        Optional<List<T>> inMemory = memory.readIfPresent(handle);
        if (inMemory.isPresent()) {
            return inMemory.get();
        }
        if (!(handle instanceof ReceivedBlockHandle.Logged logged)) {
            return memory.read(handle);
        }
        RecoveredBlock block = decode(logged.position(), wal.reader().read(logged.position()));
        if (!block.handle().id().equals(handle.id())) {
            throw new SluiceException("write-ahead log record " + logged.position() + " holds block "
                    + block.handle().id().name() + ", not " + handle.id().name()
                    + " (is the checkpoint from another log directory?)");
        }
        memory.restore(handle.id(), block.records());
        @SuppressWarnings("unchecked")
        List<T> records = (List<T>) block.records();
        return records;
    }

    @Override
    public void remove(ReceivedBlockHandle handle) {
        memory.remove(handle);
    }

    /** Every block in the log, in log order, and the torn tails skipped reading it. */
    public record Recovery(List<RecoveredBlock> blocks, List<TornTail> tornTails) {
        public Recovery {
            blocks = List.copyOf(blocks);
            tornTails = List.copyOf(tornTails);
        }
    }

    /**
     * Returns every block in the log with the torn tails skipped (for recovery).
     *
     * @throws WalCorruptionException naming the file and offset if a segment is damaged before its end
     */
    public Recovery recoverAll() {
        return recoverAll(wal.reader());
    }

    /**
     * Returns every block {@code reader} finds, with the torn tails skipped: for recovery, before
     * a new log is opened in the same directory (whose new empty segment would read as torn).
     */
    public static Recovery recoverAll(WalReader reader) {
        WalReadResult result = reader.readAll();
        List<RecoveredBlock> blocks = new ArrayList<>(result.records().size());
        for (WalRecord r : result.records()) {
            blocks.add(decode(r.position(), r.payload()));
        }
        return new Recovery(blocks, result.tornTails());
    }

    /** Returns every block in the log after {@code after}, in log order (for recovery). */
    public List<RecoveredBlock> recover(WalPosition after) {
        List<RecoveredBlock> blocks = new ArrayList<>();
        for (WalRecord r : wal.reader().readAfter(after).records()) {
            blocks.add(decode(r.position(), r.payload()));
        }
        return blocks;
    }

    private static RecoveredBlock decode(WalPosition position, byte[] payload) {
        BlockPayload.Decoded d = BlockPayload.decode(position, payload);
        return new RecoveredBlock(new ReceivedBlockHandle.Logged(d.id(), d.records().size(), position), d.records());
    }
}
