package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.spi.InputBlock;

/** Where a {@link ReceivedBlockHandler} put a block of received records. */
public sealed interface ReceivedBlockHandle {

    /** Returns the block's id. */
    InputBlock id();

    /** Returns how many records the block holds. */
    long records();

    /** A block held only in the engine's block store: lost with the process. */
    record InMemory(InputBlock id, long records) implements ReceivedBlockHandle {
        public InMemory {
            checkNotNull(id, "id");
            checkArgument(records >= 0, "records must be >= 0, got %s", records);
        }
    }

    /** A block logged at {@code position} of the write-ahead log before it went into memory. */
    record Logged(InputBlock id, long records, WalPosition position) implements ReceivedBlockHandle {
        public Logged {
            checkNotNull(id, "id");
            checkArgument(records >= 0, "records must be >= 0, got %s", records);
            checkNotNull(position, "position");
        }
    }
}
