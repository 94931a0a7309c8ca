package dev.sluice.streaming.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a streaming context needs to resume after a crash, written after each batch. It holds no
 * user functions and no graph: the user's current program defines those, and this only says what
 * ran, what each unfinished batch was given, and where each stateful operator's state lives.
 *
 * @param formatVersion the format the checkpoint was written in (see {@link MetadataCheckpointFormat})
 * @param checkpointTime the batch time this checkpoint was written for; names its file
 * @param batchInterval the context's batch interval
 * @param lastCompletedBatch the newest batch whose jobs all completed; {@code Time(0)} if none has
 * @param pendingBatches the batches whose inputs recovery may need, oldest first, each with its inputs:
 *        those after {@code lastCompletedBatch} were generated but not completed (recovery re-runs
 *        them); earlier ones completed, and are kept while a stateful or windowed operator's
 *        restored state or window still needs their input recomputed
 * @param operators for each stateful or windowed operator uid, its latest state checkpoint
 * @param datasetCheckpointRunDir the run directory the dataset checkpoints are written to
 * @param zeroTime the context's zero time: batch {@code k} is at {@code zeroTime + k * batchInterval}
 */
public record MetadataCheckpoint(int formatVersion, Time checkpointTime, Duration batchInterval,
        Time lastCompletedBatch, List<PendingBatch> pendingBatches, Map<String, OperatorState> operators,
        String datasetCheckpointRunDir, Time zeroTime) {

    public MetadataCheckpoint {
        checkArgument(formatVersion >= 1 && formatVersion <= MetadataCheckpointFormat.VERSION,
                "formatVersion must be in [1, %s], got %s", MetadataCheckpointFormat.VERSION, formatVersion);
        checkNotNull(checkpointTime, "checkpointTime");
        checkNotNull(batchInterval, "batchInterval");
        checkArgument(!batchInterval.isNegative() && !batchInterval.isZero(), "batchInterval must be > 0, got %s",
                batchInterval);
        checkNotNull(lastCompletedBatch, "lastCompletedBatch");
        pendingBatches = List.copyOf(pendingBatches);
        operators = Map.copyOf(operators);
        operators.forEach((uid, state) -> checkArgument(uid.equals(state.uid()),
                "operators key '%s' must equal its state's uid '%s'", uid, state.uid()));
        checkNotNull(datasetCheckpointRunDir, "datasetCheckpointRunDir");
        checkNotNull(zeroTime, "zeroTime");
    }

    /** A checkpoint of a context whose zero time is 0 (as under the test kit's clock). */
    public MetadataCheckpoint(int formatVersion, Time checkpointTime, Duration batchInterval, Time lastCompletedBatch,
                              List<PendingBatch> pendingBatches, Map<String, OperatorState> operators,
                              String datasetCheckpointRunDir) {
        this(formatVersion, checkpointTime, batchInterval, lastCompletedBatch, pendingBatches, operators,
                datasetCheckpointRunDir, Time.ofMillis(0));
    }

    /**
     * A batch generated but not completed when the checkpoint was written.
     *
     * @param time the batch time
     * @param inputs for each input stream uid, what the batch was allocated
     */
    public record PendingBatch(Time time, Map<String, InputAllocation> inputs) {
        public PendingBatch {
            checkNotNull(time, "time");
            inputs = Map.copyOf(inputs);
        }
    }

    /**
     * The latest state checkpoint of one stateful or windowed operator.
     *
     * @param uid the operator's stable id
     * @param stateTime the batch time of the checkpointed state
     * @param location the dataset checkpoint directory holding it
     * @param partitions the state's partition count
     */
    public record OperatorState(String uid, Time stateTime, String location, int partitions) {
        public OperatorState {
            checkNotNull(uid, "uid");
            checkNotNull(stateTime, "stateTime");
            checkNotNull(location, "location");
            checkArgument(partitions > 0, "partitions of operator '%s' must be > 0, got %s", uid, partitions);
        }
    }
}
