package dev.sluice.streaming;

import dev.sluice.core.JobFailedException;
import dev.sluice.core.SluiceException;

/**
 * The error that stopped a {@link StreamingContext}, rethrown by
 * {@link StreamingContext#awaitTermination()} and
 * {@link StreamingContext#awaitTerminationOrTimeout(java.time.Duration)}: a batch that failed
 * while the context was built with {@code stopOnFailure(true)}, or a failure of the batch
 * generator itself (which always stops the context, since no later batch can be made).
 *
 * <p>The cause is the user's own exception when there is one: a task's exception is unwrapped
 * from the engine's {@link JobFailedException}, whose text (dataset, partition, attempts) stays
 * in this exception's message.
 */
public final class StreamingFailedException extends SluiceException {
    private final Time batchTime;

    /**
     * Creates the exception for the batch at {@code batchTime}; {@code what} says what failed
     * ("a batch failed", "the batch generator failed").
     */
    public StreamingFailedException(Time batchTime, String what, Throwable failure) {
        super(String.format("streaming stopped because %s: batch %d ms: %s", what, batchTime.millis(), failure),
                userCause(failure));
        this.batchTime = batchTime;
    }

    /** Returns the time of the batch that failed (or that the generator was making when it failed). */
    public Time batchTime() {
        return batchTime;
    }

    private static Throwable userCause(Throwable failure) {
        if (failure instanceof JobFailedException && failure.getCause() != null) {
            return failure.getCause();
        }
        return failure;
    }
}
