package dev.sluice.kafka;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a stream is behind its topics at one batch time: per partition, the records between the
 * stream's next offset and the end of the log, and how old the oldest of them is.
 *
 * @param batchTime the batch time (epoch milliseconds) the report was taken at
 * @param partitions the lag of each partition, in topic then partition order
 */
public record LagReport(long batchTime, Map<TopicPartition, PartitionLag> partitions) {

    /** Copies the map in topic, partition order. */
    public LagReport {
        checkNotNull(partitions, "partitions");
        TreeMap<TopicPartition, PartitionLag> sorted = new TreeMap<>(
                (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                        : a.topic().compareTo(b.topic()));
        sorted.putAll(partitions);
        partitions = java.util.Collections.unmodifiableMap(sorted);
    }

    /** The records behind, summed over all partitions. */
    public long totalRecordsBehind() {
        return partitions.values().stream().mapToLong(PartitionLag::recordsBehind).sum();
    }

    /** The largest seconds-behind of any partition (0 when nothing is behind). */
    public double maxSecondsBehind() {
        return partitions.values().stream().mapToDouble(PartitionLag::secondsBehind).max().orElse(0);
    }

    /**
     * The lag of one partition.
     *
     * @param recordsBehind offsets between the stream's next offset and the end of the log
     * @param secondsBehind age at the report's batch time of the oldest record not yet read (0
     *     when nothing is behind, or when its timestamp was not looked up)
     */
    public record PartitionLag(long recordsBehind, double secondsBehind) {
        /** Checks both figures are non-negative. */
        public PartitionLag {
            checkArgument(recordsBehind >= 0, "recordsBehind must be >= 0, got %s", recordsBehind);
            checkArgument(secondsBehind >= 0, "secondsBehind must be >= 0, got %s", secondsBehind);
        }
    }
}
