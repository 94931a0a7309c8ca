package dev.sluice.core;

class DiskStorageLevelTest extends StorageLevelContract {
    @Override
    StorageLevel level() {
        return StorageLevel.DISK;
    }
}
