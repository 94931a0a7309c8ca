package dev.sluice.core.storage;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A block of records received by an input stream.
 *
 * @param streamId the input stream's id
 * @param sequence the block's position among the stream's blocks
 */
public record InputBlockId(int streamId, long sequence) implements BlockId {

    public InputBlockId {
        checkArgument(streamId >= 0, "streamId must be >= 0, got %s", streamId);
        checkArgument(sequence >= 0, "sequence must be >= 0, got %s", sequence);
    }

    @Override
    public String name() {
        return "input_" + streamId + "_" + sequence;
    }
}
