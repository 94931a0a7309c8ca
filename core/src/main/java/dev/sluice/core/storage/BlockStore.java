package dev.sluice.core.storage;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.StorageLevel;
import dev.sluice.core.serializer.KryoSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps blocks of records by {@link BlockId}: cached dataset partitions and received input.
 *
 * <p>Each block is kept as its {@link StorageLevel} asks: {@code MEMORY} keeps the caller's list
 * itself, {@code MEMORY_SERIALIZED} keeps Kryo bytes on the heap, {@code DISK} keeps Kryo bytes
 * in a file of the store's directory, named by the block's name.
 *
 * <p>Threading: safe from any thread, without a store-wide lock. The entries live in a {@link
 * ConcurrentHashMap}; a put or remove swaps one entry atomically, and whoever swaps an entry out
 * releases it (its heap bytes, its file), so each is released exactly once. File I/O happens
 * outside the map's locks. Races between a put and a remove of the same id can at worst leave an
 * entry whose file is gone, which {@link #get} reports as absent.
 *
 * <p>Invariants: {@link #memoryBytes()} is the sum of the serialized heap blocks' lengths. A
 * block is returned only as it was put: a {@code DISK} file is checked against the length and
 * CRC32 recorded when it was written.
 *
 * <p>Failure and retry: a {@code DISK} file that vanished or changed makes {@link #get} drop the
 * entry, log one warning and return empty; the caller recomputes the block from lineage. Bytes
 * that pass the checks but cannot be deserialized are a bug, not a loss, and fail the read.
 *
 * <p>The directory belongs to the store: it is created on the first {@code DISK} put and
 * deleted, with everything in it, by {@link #close()}.
 */
public final class BlockStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlockStore.class);

    private final KryoSerializer serializer;
    private final BlockFiles files;
    private final ConcurrentMap<BlockId, StoredBlock> blocks = new ConcurrentHashMap<>();
    private final AtomicLong memoryBytes = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Creates an empty store that writes {@code DISK} blocks under {@code diskDir}. */
    public BlockStore(KryoSerializer serializer, Path diskDir) {
        this.serializer = checkNotNull(serializer, "serializer");
        this.files = new BlockFiles(checkNotNull(diskDir, "diskDir"));
    }

    /**
     * Stores {@code values} as block {@code id} at {@code level}, replacing any block of that id.
     * For {@code MEMORY} the list itself is kept: pass an immutable list no one else changes.
     *
     * @throws IllegalArgumentException if {@code level} is {@code NONE}
     * @throws dev.sluice.core.SluiceException if the values cannot be serialized or written
     */
    public void put(BlockId id, List<?> values, StorageLevel level) {
        checkNotNull(id, "id");
        checkNotNull(values, "values");
        checkNotNull(level, "level");
        checkArgument(level != StorageLevel.NONE,
                "level of block %s must not be NONE: a NONE partition is recomputed, never stored", id.name());
        checkState(!closed.get(), "cannot put block %s: the block store is closed", id.name());
        StoredBlock block = store(id, values, level);
        StoredBlock previous = blocks.put(id, block);
        memoryBytes.addAndGet(block.memoryBytes());
        if (previous != null && !sameFile(previous, block)) {
            release(id, previous);
        }
        log.trace("stored block {} at {}", id.name(), level);
    }

    /** Returns the records of block {@code id}, or empty if it is not stored or was lost. */
    public <T> Optional<List<T>> get(BlockId id) {
        checkNotNull(id, "id");
        StoredBlock block = blocks.get(id);
        if (block == null) {
            return Optional.empty();
        }
        if (block instanceof StoredBlock.Values values) {
            @SuppressWarnings("unchecked")
            List<T> records = (List<T>) values.values();
            return Optional.of(records);
        }
        if (block instanceof StoredBlock.Bytes bytes) {
            return Optional.of(deserialize(bytes.bytes()));
        }
        return readFile(id, (StoredBlock.DiskFile) block);
    }

    /** Returns true if block {@code id} is stored (a lost file is noticed only by {@link #get}). */
    public boolean contains(BlockId id) {
        return blocks.containsKey(checkNotNull(id, "id"));
    }

    /** Removes block {@code id} and its file; returns true if it was stored. */
    public boolean remove(BlockId id) {
        StoredBlock previous = blocks.remove(checkNotNull(id, "id"));
        if (previous == null) {
            return false;
        }
        release(id, previous);
        return true;
    }

    /** Removes every block whose id matches {@code which}; returns how many it removed. */
    public int removeIf(Predicate<BlockId> which) {
        checkNotNull(which, "which");
        int removed = 0;
        for (BlockId id : blocks.keySet()) {
            if (which.test(id) && remove(id)) {
                removed++;
            }
        }
        return removed;
    }

    /** Returns the number of blocks stored. */
    public int size() {
        return blocks.size();
    }

    /** Returns a copy of the ids of the blocks stored now. */
    public Set<BlockId> ids() {
        return Set.copyOf(blocks.keySet());
    }

    /** Returns the heap bytes held by {@code MEMORY_SERIALIZED} blocks; object blocks are not counted. */
    public long memoryBytes() {
        return memoryBytes.get();
    }

    /** Drops every block and deletes the disk directory; the store cannot be used afterwards. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        blocks.clear();
        memoryBytes.set(0);
        try {
            files.deleteAll();
        } catch (IOException e) {
            log.warn("block store closed but its directory {} could not be deleted", files.dir(), e);
        }
    }

    private StoredBlock store(BlockId id, List<?> values, StorageLevel level) {
        if (!level.isSerialized()) {
            return new StoredBlock.Values(values);
        }
        byte[] bytes = serializer.serializeAll(values.iterator());
        return level.isOnDisk() ? files.write(id, bytes) : new StoredBlock.Bytes(bytes);
    }

    private <T> Optional<List<T>> readFile(BlockId id, StoredBlock.DiskFile block) {
        byte[] bytes;
        try {
            bytes = files.read(block);
        } catch (IOException e) {
            if (blocks.remove(id, block)) {
                release(id, block);
                log.warn("block {} is lost: its file {} is unreadable ({}); it will be recomputed from lineage",
                        id.name(), block.path(), e.toString());
            }
            return Optional.empty();
        }
        return Optional.of(deserialize(bytes));
    }

    private <T> List<T> deserialize(byte[] bytes) {
        return Collections.unmodifiableList(serializer.<T>deserializeAll(bytes));
    }

    /** Releases what a swapped-out entry held; called once per entry, by the thread that swapped it. */
    private void release(BlockId id, StoredBlock block) {
        memoryBytes.addAndGet(-block.memoryBytes());
        if (block instanceof StoredBlock.DiskFile file) {
            try {
                files.delete(file);
            } catch (IOException e) {
                log.warn("could not delete file {} of removed block {}", file.path(), id.name(), e);
            }
        }
    }

    private static boolean sameFile(StoredBlock previous, StoredBlock block) {
        return previous instanceof StoredBlock.DiskFile before
                && block instanceof StoredBlock.DiskFile after
                && before.path().equals(after.path());
    }
}
