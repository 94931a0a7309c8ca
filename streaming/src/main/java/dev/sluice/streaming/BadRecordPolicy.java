package dev.sluice.streaming;

/**
 * What happens to a record whose user function throws in an element-wise operation ({@code map},
 * {@code filter}, {@code flatMap}, {@code mapMulti}, {@code mapToPair}, {@code mapValues},
 * {@code flatMapValues}); set with {@code StreamingContext.builder().badRecordPolicy(...)}.
 */
public enum BadRecordPolicy {
    /**
     * The default: the exception fails the task, which is retried, and then the batch (the
     * error names the record, by its first 200 characters).
     */
    FAIL,
    /**
     * The record is dropped at once (not retried: a function that throws on a record will throw
     * again), the rest of its batch goes on, and the record, its operator and the exception are
     * reported as a {@link FailedRecord} to {@link StreamingListener#onRecordFailed} and to the
     * dead-letter stream {@link StreamingContext#deadLetters()}.
     */
    SKIP
}
