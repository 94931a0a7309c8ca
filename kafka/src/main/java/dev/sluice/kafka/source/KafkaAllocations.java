package dev.sluice.kafka.source;

import dev.sluice.kafka.OffsetRange;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.InputAllocation.SourceOffsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch's Kafka offset ranges as the metadata checkpoint records them: one
 * {@link InputAllocation.OffsetRange} per topic partition, named {@code topic-partition} (the
 * partition is the number after the last '-', since topic names may hold '-').
 */
final class KafkaAllocations {

    private KafkaAllocations() {
    }

    static SourceOffsets toAllocation(List<OffsetRange> ranges) {
        List<InputAllocation.OffsetRange> out = new ArrayList<>(ranges.size());
        for (OffsetRange r : ranges) {
            out.add(new InputAllocation.OffsetRange(r.topic() + "-" + r.partition(), r.fromOffset(), r.untilOffset()));
        }
        return new SourceOffsets(out);
    }

    /**
     * Reads the ranges input {@code uid} recorded for batch {@code time}.
     *
     * @throws IllegalStateException if the allocation is not a Kafka stream's
     */
    static List<OffsetRange> fromAllocation(String uid, Time time, InputAllocation allocation) {
        if (!(allocation instanceof SourceOffsets offsets)) {
            throw notKafka(uid, time, allocation);
        }
        List<OffsetRange> out = new ArrayList<>(offsets.ranges().size());
        for (InputAllocation.OffsetRange r : offsets.ranges()) {
            int dash = r.partition().lastIndexOf('-');
            String number = dash > 0 ? r.partition().substring(dash + 1) : "";
            if (number.isEmpty() || !number.chars().allMatch(Character::isDigit)) {
                throw notKafka(uid, time, allocation);
            }
            out.add(new OffsetRange(r.partition().substring(0, dash), Integer.parseInt(number), r.from(), r.until()));
        }
        return List.copyOf(out);
    }

    private static IllegalStateException notKafka(String uid, Time time, InputAllocation allocation) {
        return new IllegalStateException("the checkpoint's allocation of input '" + uid + "' for batch " + time.millis()
                + " ms is " + allocation + ", not the topic-partition offset ranges a Kafka direct stream records; "
                + "was the input replaced by another kind of input? Give the new one another uid");
    }
}
