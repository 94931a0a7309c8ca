package dev.sluice.core;

class MemorySerializedStorageLevelTest extends StorageLevelContract {
    @Override
    StorageLevel level() {
        return StorageLevel.MEMORY_SERIALIZED;
    }
}
