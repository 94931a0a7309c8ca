package dev.sluice.streaming.metrics;

import java.util.Map;
import java.util.Optional;

/**
 * What the UI keeps of one batch: counts and delays only, never records. Delays are in
 * milliseconds; {@code -1} while not known (a queued batch has no processing time yet).
 *
 * @param batchTime          the batch time, clock milliseconds
 * @param inputRecords       records of all inputs
 * @param inputByStream      records per input stream id
 * @param submissionMillis   clock time the batch was queued
 * @param status             where the batch is
 * @param schedulingDelayMs  time it waited in the queue
 * @param processingMs       time its jobs ran
 * @param totalDelayMs       both
 * @param numJobs            output operations run
 * @param error              the first failure, as text (class, message, causes), if it failed
 */
public record BatchRecord(long batchTime, long inputRecords, Map<Integer, Long> inputByStream, long submissionMillis,
                          Status status, double schedulingDelayMs, double processingMs, double totalDelayMs,
                          int numJobs, Optional<String> error) {

    /** Where a batch is, named as in Spark's REST API. */
    public enum Status { QUEUED, PROCESSING, COMPLETED, FAILED }

    public BatchRecord {
        inputByStream = Map.copyOf(inputByStream);
    }

    /** Returns a copy with {@code newStatus}. */
    BatchRecord withStatus(Status newStatus) {
        return new BatchRecord(batchTime, inputRecords, inputByStream, submissionMillis, newStatus, schedulingDelayMs,
                processingMs, totalDelayMs, numJobs, error);
    }
}
