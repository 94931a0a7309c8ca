package dev.sluice.core;

/** Where and how {@link Dataset#persist(StorageLevel)} keeps computed partitions. */
public enum StorageLevel {
    /** Not kept: every use recomputes from lineage. */
    NONE(false, false),
    /** Kept on the heap as objects: fastest, largest. */
    MEMORY(false, false),
    /** Kept on the heap as Kryo bytes: smaller, pays deserialization on every read. */
    MEMORY_SERIALIZED(true, false),
    /** Kept as Kryo bytes in a local temporary directory of the engine. */
    DISK(true, true);

    private final boolean serialized;
    private final boolean onDisk;

    StorageLevel(boolean serialized, boolean onDisk) {
        this.serialized = serialized;
        this.onDisk = onDisk;
    }

    /** Returns true if partitions are kept as bytes. */
    public boolean isSerialized() {
        return serialized;
    }

    /** Returns true if partitions are kept on local disk. */
    public boolean isOnDisk() {
        return onDisk;
    }
}
