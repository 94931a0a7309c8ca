package dev.sluice.streaming.scheduler;

import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.BatchJob;
import java.util.List;

/**
 * The jobs of one batch, with what the batch's {@code BatchInfo} needs.
 *
 * @param time            the batch time
 * @param jobs            one job per output operation
 * @param numInputRecords records received for the batch
 * @param submittedMillis clock time of submission
 * @param submittedNanos  wall time of submission, for the scheduling delay
 * @param generationError what went wrong building the batch's datasets, if anything
 */
record JobSet(Time time, List<BatchJob> jobs, long numInputRecords, long submittedMillis, long submittedNanos,
              Throwable generationError) {
}
