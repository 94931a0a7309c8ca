package dev.sluice.core.storage;

import dev.sluice.core.StorageLevel;

class MemoryBlockStoreTest extends BlockStoreContract {

    @Override
    StorageLevel level() {
        return StorageLevel.MEMORY;
    }
}
