package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a context restored when it resumed from a checkpoint (see
 * {@link StreamingContext#getOrCreate}); {@link StreamingContext#recoveryReport()} returns it.
 *
 * @param checkpoint the metadata checkpoint file used, and the newer unusable ones skipped
 * @param checkpointTime the batch time of that checkpoint
 * @param lastCompletedBatch the newest batch that had completed: the clock resumes after it
 * @param restoredKeys for each restored stateful or windowed operator uid, its number of keys
 * @param stateTimes for each restored operator uid, the batch time of the state read back
 * @param replayedBatches the batches generated but not completed before the crash, run again
 * @param droppedState uids whose state was dropped because the new graph no longer has them
 * @param startedEmpty stateful uids new in the graph, which start with empty state
 * @param deletedFiles dataset checkpoint directories no checkpoint refers to, deleted
 * @param took how long recovery took at start
 */
public record RecoveryReport(String checkpoint, Time checkpointTime, Time lastCompletedBatch,
        Map<String, Long> restoredKeys, Map<String, Time> stateTimes, List<Time> replayedBatches,
        List<String> droppedState, List<String> startedEmpty, List<String> deletedFiles, Duration took) {

    public RecoveryReport {
        checkNotNull(checkpoint, "checkpoint");
        checkNotNull(checkpointTime, "checkpointTime");
        checkNotNull(lastCompletedBatch, "lastCompletedBatch");
        restoredKeys = Map.copyOf(restoredKeys);
        stateTimes = Map.copyOf(stateTimes);
        replayedBatches = List.copyOf(replayedBatches);
        droppedState = List.copyOf(droppedState);
        startedEmpty = List.copyOf(startedEmpty);
        deletedFiles = List.copyOf(deletedFiles);
        checkNotNull(took, "took");
    }

    /** Returns the report as one line, as the context logs it. */
    public String describe() {
        StringBuilder b = new StringBuilder("recovered from ").append(checkpoint).append(": last completed batch ")
                .append(lastCompletedBatch.millis()).append(" ms; operators restored ")
                .append(new java.util.TreeMap<>(restoredKeys).entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + " keys at " + stateTimes.get(e.getKey()).millis()
                                + " ms)").toList())
                .append("; batches replayed ").append(replayedBatches.stream().map(Time::millis).toList());
        if (!droppedState.isEmpty()) {
            b.append("; state dropped ").append(droppedState);
        }
        if (!startedEmpty.isEmpty()) {
            b.append("; starting empty ").append(startedEmpty);
        }
        b.append("; ").append(deletedFiles.size()).append(" unreferenced checkpoint director")
                .append(deletedFiles.size() == 1 ? "y" : "ies").append(" deleted; took ").append(took.toMillis())
                .append(" ms");
        return b.toString();
    }
}
