package dev.sluice.streaming;

/**
 * Receives the lifecycle events of a {@link StreamingContext}. Every method has an empty default,
 * so implement only what you need. Called on engine threads: return quickly. An exception thrown
 * here is logged and otherwise ignored; it never stops the stream.
 */
public interface StreamingListener {

    /** The context started; {@code startMillis} is the clock time of the zero batch. */
    default void onStreamingStarted(long startMillis) {
    }

    /** The context stopped. */
    default void onStreamingStopped() {
    }

    /** A batch was generated and queued. */
    default void onBatchSubmitted(Time batchTime, long numInputRecords) {
    }

    /** The first job of a batch started. */
    default void onBatchStarted(Time batchTime) {
    }

    /** Every job of a batch ended (see {@link BatchInfo#succeeded()}). */
    default void onBatchCompleted(BatchInfo info) {
    }

    /** A receiver reported an error. */
    default void onReceiverError(ReceiverError error) {
    }

    /**
     * A file stream found a file that changed after it was read (called on the generator thread),
     * or that vanished before it was read (called on the worker thread of the task that tried).
     */
    default void onInputFileProblem(InputFileProblem problem) {
    }
}
