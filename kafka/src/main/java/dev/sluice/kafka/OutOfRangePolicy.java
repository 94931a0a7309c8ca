package dev.sluice.kafka;

/**
 * What a stream does when the offset it would read next is no longer in the log (retention or
 * {@code deleteRecords} removed it) or lies beyond its end (the topic was recreated).
 */
public enum OutOfRangePolicy {
    /** Fail the batch with a {@link KafkaOffsetsException} naming topic, partition and offsets. */
    FAIL,
    /** Log a warning naming the skipped offsets and continue from the earliest retained offset. */
    RESET_TO_EARLIEST
}
