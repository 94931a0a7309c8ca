package dev.sluice.core.storage;

import dev.sluice.core.StorageLevel;

class MemorySerializedBlockStoreTest extends BlockStoreContract {

    @Override
    StorageLevel level() {
        return StorageLevel.MEMORY_SERIALIZED;
    }
}
