package dev.sluice.streaming.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.Map;

/**
 * What of a new program's graph must match a checkpoint for it to resume: the batch interval and
 * each stateful or windowed operator's uid with its partition count.
 */
public record GraphShape(Duration batchInterval, Map<String, Integer> statefulPartitions) {

    public GraphShape {
        checkNotNull(batchInterval, "batchInterval");
        statefulPartitions = Map.copyOf(statefulPartitions);
        statefulPartitions.forEach((uid, n) -> checkArgument(n > 0,
                "partitions of operator '%s' must be > 0, got %s", uid, n));
    }
}
