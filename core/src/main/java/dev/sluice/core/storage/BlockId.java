package dev.sluice.core.storage;

/** Names a block in the {@link BlockStore}. */
public sealed interface BlockId permits DatasetBlockId, InputBlockId {

    /** Returns the block's unique name, also used as its file name on disk. */
    String name();
}
