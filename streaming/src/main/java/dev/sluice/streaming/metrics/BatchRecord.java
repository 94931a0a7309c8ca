package dev.sluice.streaming.metrics;

import java.util.List;
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
 * @param oldestRecordMillis clock time the batch's oldest record came in (stored by a receiver, or
 *                           its file modified); -1 if no input knows
 * @param stages             the stages of the batch's jobs, in the order they ended (empty until it completed)
 */
public record BatchRecord(long batchTime, long inputRecords, Map<Integer, Long> inputByStream, long submissionMillis,
                          Status status, double schedulingDelayMs, double processingMs, double totalDelayMs,
                          int numJobs, Optional<String> error, long oldestRecordMillis, List<StageRecord> stages) {

    /** Where a batch is, named as in Spark's REST API. */
    public enum Status { QUEUED, PROCESSING, COMPLETED, FAILED }

    public BatchRecord {
        inputByStream = Map.copyOf(inputByStream);
        stages = List.copyOf(stages);
    }

    /** Returns the batch time minus the oldest record's time, in ms; empty if not known. */
    public Optional<Long> oldestRecordAgeMs() {
        return oldestRecordMillis < 0 ? Optional.empty() : Optional.of(Math.max(0, batchTime - oldestRecordMillis));
    }

    /** Returns a copy with {@code newStatus}. */
    BatchRecord withStatus(Status newStatus) {
        return new BatchRecord(batchTime, inputRecords, inputByStream, submissionMillis, newStatus, schedulingDelayMs,
                processingMs, totalDelayMs, numJobs, error, oldestRecordMillis, stages);
    }
}
