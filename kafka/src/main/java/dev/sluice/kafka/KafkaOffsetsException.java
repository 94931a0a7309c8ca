package dev.sluice.kafka;

import dev.sluice.core.SluiceException;

/**
 * A stream cannot read the offsets it should: the topic is gone, or its next offset of a
 * partition is outside the range the broker still holds. The fields name what was asked for.
 */
public class KafkaOffsetsException extends SluiceException {

    private final String topic;
    private final int partition;
    private final long requestedOffset;
    private final long earliestOffset;
    private final long latestOffset;

    /** An offset outside [earliest, latest] of {@code topic}-{@code partition}. */
    public KafkaOffsetsException(String topic, int partition, long requestedOffset, long earliestOffset,
            long latestOffset) {
        super(String.format("offset %s of %s-%s is out of range: the broker holds offsets %s to %s "
                        + "(records before %s were deleted by retention or deleteRecords, or the topic was "
                        + "recreated); set the out-of-range policy to RESET_TO_EARLIEST to skip to offset %s, "
                        + "losing %s records", requestedOffset, topic, partition, earliestOffset, latestOffset,
                earliestOffset, earliestOffset, Math.max(0, earliestOffset - requestedOffset)));
        this.topic = topic;
        this.partition = partition;
        this.requestedOffset = requestedOffset;
        this.earliestOffset = earliestOffset;
        this.latestOffset = latestOffset;
    }

    /** A topic that does not exist (deleted, or never created). */
    public KafkaOffsetsException(String topic, Throwable cause) {
        super(String.format("topic '%s' does not exist on the broker (deleted while the stream ran, or never "
                + "created); recreate it or remove it from the stream's topics", topic), cause);
        this.topic = topic;
        this.partition = -1;
        this.requestedOffset = -1;
        this.earliestOffset = -1;
        this.latestOffset = -1;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** The partition, or -1 when the whole topic is missing. */
    public int partition() {
        return partition;
    }

    /** The offset the stream would have read, or -1 when the topic is missing. */
    public long requestedOffset() {
        return requestedOffset;
    }

    /** The earliest offset the broker holds, or -1 when the topic is missing. */
    public long earliestOffset() {
        return earliestOffset;
    }

    /** The end offset of the partition, or -1 when the topic is missing. */
    public long latestOffset() {
        return latestOffset;
    }
}
