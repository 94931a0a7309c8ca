package dev.sluice.core.spi;

import dev.sluice.core.StorageLevel;
import dev.sluice.core.storage.BlockStore;
import java.util.List;
import java.util.Optional;

/**
 * Received input in the engine's block store: receivers' blocks are put here when they are
 * allocated to a batch, read by the batch's dataset, and removed when their stream
 * forgets the batch.
 *
 * <p>Threading: safe from any thread.
 */
public final class InputBlocks {
    private final BlockStore store;

    InputBlocks(BlockStore store) {
        this.store = store;
    }

    /** Stores {@code records} (kept as they are, in memory) under {@code block}. */
    public void put(InputBlock block, List<?> records) {
        store.put(block.id(), records, StorageLevel.MEMORY);
    }

    /** Returns the records of {@code block}, if it is still stored. */
    public <T> Optional<List<T>> get(InputBlock block) {
        return store.get(block.id());
    }

    /** Drops {@code block}; returns true if it was stored. */
    public boolean remove(InputBlock block) {
        return store.remove(block.id());
    }
}
