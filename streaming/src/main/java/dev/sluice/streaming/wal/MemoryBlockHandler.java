package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.InputBlock;
import dev.sluice.core.spi.InputBlocks;
import java.util.Collections;
import java.util.List;

/**
 * Keeps received blocks in the engine's {@link InputBlocks} only, in memory: what a receiver
 * stored is lost if the process dies.
 *
 * <p>Threading: safe from any thread, as the block store is.
 */
public final class MemoryBlockHandler implements ReceivedBlockHandler {
    private final InputBlocks store;

    public MemoryBlockHandler(InputBlocks store) {
        this.store = checkNotNull(store, "store");
    }

    @Override
    public ReceivedBlockHandle store(InputBlock id, List<?> records) {
        checkNotNull(id, "id");
        store.put(id, Collections.unmodifiableList(records));
        return new ReceivedBlockHandle.InMemory(id, records.size());
    }

    @Override
    public <T> List<T> read(ReceivedBlockHandle handle) {
        return this.<T>readIfPresent(handle).orElseThrow(() -> new SluiceException("block " + handle.id().name()
                + " is no longer in the block store (released already, or lost with an earlier process;"
                + " turn on the write-ahead log to survive restarts)"));
    }

    /** Returns the records of the block if it is still in memory. */
    <T> java.util.Optional<List<T>> readIfPresent(ReceivedBlockHandle handle) {
        return store.get(checkNotNull(handle, "handle").id());
    }

    /** Puts a block read back from the log into memory again. */
    public void restore(InputBlock id, List<?> records) {
        store.put(id, Collections.unmodifiableList(records));
    }

    @Override
    public void remove(ReceivedBlockHandle handle) {
        store.remove(checkNotNull(handle, "handle").id());
    }
}
