package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class OffsetRangeTest {

    @Test
    void constructor_invalidRanges_failNamingTopicPartitionAndOffsets() {
        assertThatThrownBy(() -> new OffsetRange("t", 0, 10, 9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("untilOffset (9) of t-0");
        assertThatThrownBy(() -> new OffsetRange("t", -1, 0, 0)).hasMessageContaining("partition of topic 't'");
        assertThatThrownBy(() -> new OffsetRange("t", 2, -3, 0)).hasMessageContaining("fromOffset of t-2");
        assertThatThrownBy(() -> new OffsetRange("", 0, 0, 0)).hasMessageContaining("topic");
    }

    @Test
    void split_randomRanges_coverEveryOffsetOnceInOrder() {
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            long from = random.nextInt(1000);
            OffsetRange range = new OffsetRange("t", 1, from, from + random.nextInt(500));
            long max = 1 + random.nextInt(60);

            List<OffsetRange> pieces = range.split(max);

            assertThat(pieces.stream().flatMapToLong(p -> LongStream.range(p.fromOffset(), p.untilOffset())).toArray())
                    .as("seed 7 range %s max %s", range, max)
                    .containsExactly(LongStream.range(range.fromOffset(), range.untilOffset()).toArray());
            assertThat(pieces).allSatisfy(p -> assertThat(p.count()).isLessThanOrEqualTo(max));
            assertThat(pieces).allSatisfy(p -> assertThat(p.topicPartition()).isEqualTo(range.topicPartition()));
        }
    }
}
