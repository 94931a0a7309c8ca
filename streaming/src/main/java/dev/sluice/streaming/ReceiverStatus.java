package dev.sluice.streaming;

/**
 * Counters of one receiver, for monitoring.
 *
 * @param streamId        the input stream's id
 * @param receiverName    the receiver's name
 * @param recordsStored   records handed to the engine so far
 * @param recordsDropped  records dropped as malformed, oversized or partial (see the receiver's docs)
 * @param errors          errors reported so far
 * @param restarts        restarts so far
 */
public record ReceiverStatus(int streamId, String receiverName, long recordsStored, long recordsDropped, long errors,
                             long restarts) {
}
