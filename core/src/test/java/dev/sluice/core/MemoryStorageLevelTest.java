package dev.sluice.core;

class MemoryStorageLevelTest extends StorageLevelContract {
    @Override
    StorageLevel level() {
        return StorageLevel.MEMORY;
    }
}
