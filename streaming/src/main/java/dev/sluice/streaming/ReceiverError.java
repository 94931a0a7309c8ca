package dev.sluice.streaming;

import java.util.Optional;

/**
 * A problem a receiver reported: a failed connection, a lost peer, an exception it caught.
 *
 * @param streamId     the input stream's id
 * @param receiverName the receiver's name
 * @param message      what went wrong
 * @param cause        the exception, if there was one
 */
public record ReceiverError(int streamId, String receiverName, String message, Optional<Throwable> cause) {
}
