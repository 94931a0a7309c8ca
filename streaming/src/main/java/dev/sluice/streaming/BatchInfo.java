package dev.sluice.streaming;

import java.time.Duration;
import java.util.Optional;

/**
 * What happened to one batch: when it was submitted, started and finished, how many input
 * records it had, and why it failed if it did. Times are in milliseconds of the context's clock,
 * except {@code processingStart}/{@code processingEnd}, which are wall-clock nanoseconds-derived
 * milliseconds, so that processing time is measured even under a manual clock.
 *
 * @param batchTime        the batch time
 * @param numInputRecords  records received for the batch by all inputs
 * @param submissionMillis clock time at which the batch was generated and queued
 * @param schedulingDelay  wall time the batch waited in the queue before its first job started
 * @param processingTime   wall time from the first job's start to the last job's end
 * @param numJobs          the number of output operations run
 * @param failure          the first failure of the batch's jobs, if any: the exception an output
 *                         function threw, or, when a task failed, a {@code JobFailedException}
 *                         whose cause is the user's exception
 */
public record BatchInfo(Time batchTime, long numInputRecords, long submissionMillis, Duration schedulingDelay,
                        Duration processingTime, int numJobs, Optional<Throwable> failure) {

    /** Returns the scheduling delay plus the processing time. */
    public Duration totalDelay() {
        return schedulingDelay.plus(processingTime);
    }

    /** Returns true if every job of the batch succeeded. */
    public boolean succeeded() {
        return failure.isEmpty();
    }
}
