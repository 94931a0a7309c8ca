package dev.sluice.streaming.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.wal.ReceivedBlockHandle;
import java.util.List;

/** What one input stream contributed to one batch, recorded so the batch can be re-run. */
public sealed interface InputAllocation {

    /** Blocks from a receiver; logged ones can be read back from the write-ahead log. */
    record ReceivedBlocks(List<ReceivedBlockHandle> blocks) implements InputAllocation {
        public ReceivedBlocks {
            blocks = List.copyOf(blocks);
        }
    }

    /** The files a file stream read for the batch, re-read on recovery. */
    record FileNames(List<String> files) implements InputAllocation {
        public FileNames {
            files = List.copyOf(files);
        }
    }

    /** The offset ranges a replayable source served for the batch. */
    record SourceOffsets(List<OffsetRange> ranges) implements InputAllocation {
        public SourceOffsets {
            ranges = List.copyOf(ranges);
        }
    }

    /**
     * Offsets {@code [from, until)} of one partition of a replayable source.
     *
     * @param partition the source's name for the partition (a Kafka topic-partition, a kit input)
     */
    record OffsetRange(String partition, long from, long until) {
        public OffsetRange {
            checkNotNull(partition, "partition");
            checkArgument(0 <= from && from <= until, "offsets must satisfy 0 <= from <= until, got [%s, %s) for %s",
                    from, until, partition);
        }
    }
}
