package dev.sluice.kafka;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a stream starts reading when there is no checkpoint (offsets in a checkpoint always win on
 * recovery): the earliest offset still in the log, the latest (only records produced from now on),
 * or explicit offsets per partition. Partitions an explicit map does not name, and partitions
 * added while the stream runs, start at their earliest offset.
 */
public sealed interface StartingOffsets {

    /** Start every partition at its earliest retained offset. */
    static StartingOffsets earliest() {
        return Earliest.INSTANCE;
    }

    /** Start every partition at its end: only records produced after the start are read. */
    static StartingOffsets latest() {
        return Latest.INSTANCE;
    }

    /** Start the named partitions at the given offsets, the others at their earliest. */
    static StartingOffsets explicit(Map<TopicPartition, Long> offsets) {
        return new Explicit(offsets);
    }

    /** See {@link #earliest()}. */
    enum Earliest implements StartingOffsets { INSTANCE }

    /** See {@link #latest()}. */
    enum Latest implements StartingOffsets { INSTANCE }

    /** See {@link #explicit(Map)}. */
    record Explicit(Map<TopicPartition, Long> offsets) implements StartingOffsets {
        /** Copies the map and checks that every offset is non-negative. */
        public Explicit {
            checkNotNull(offsets, "offsets");
            offsets.forEach((tp, offset) -> checkArgument(offset != null && offset >= 0,
                    "starting offset of %s must be >= 0, got %s", tp, offset));
            offsets = Map.copyOf(offsets);
        }
    }
}
