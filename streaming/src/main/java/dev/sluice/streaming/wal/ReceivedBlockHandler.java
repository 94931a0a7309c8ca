package dev.sluice.streaming.wal;

import dev.sluice.core.spi.InputBlock;
import java.util.List;

/**
 * Stores the blocks a receiver hands over and gives them back to the batches allocated them.
 * The in-memory handler is the base; the write-ahead-log handler wraps it, so a tracker stores
 * through one interface whether or not the log is on (no {@code if (walEnabled)} in the tracker).
 *
 * <p>Threading: implementations are safe from any thread (receivers store concurrently).
 */
public interface ReceivedBlockHandler {

    /**
     * Stores {@code records} as block {@code id}; returns once the block is as durable as this
     * handler makes it.
     */
    ReceivedBlockHandle store(InputBlock id, List<?> records);

    /**
     * Returns the records of the block at {@code handle}.
     *
     * @throws dev.sluice.core.SluiceException if the block is gone and cannot be read back
     */
    <T> List<T> read(ReceivedBlockHandle handle);

    /** Drops the block from memory (a logged block stays in the log until its segment is deleted). */
    void remove(ReceivedBlockHandle handle);
}
