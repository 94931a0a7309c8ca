package dev.sluice.core.spi;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.storage.InputBlockId;

/**
 * The id of a block of records received by an input stream, as the stream engine names it.
 *
 * @param streamId the input stream's id
 * @param sequence the block's position among the stream's blocks
 */
public record InputBlock(int streamId, long sequence) {

    public InputBlock {
        checkArgument(streamId >= 0, "streamId must be >= 0, got %s", streamId);
        checkArgument(sequence >= 0, "sequence must be >= 0, got %s", sequence);
    }

    /** Returns the block's name in the block store. */
    public String name() {
        return id().name();
    }

    InputBlockId id() {
        return new InputBlockId(streamId, sequence);
    }
}
