package dev.sluice.streaming.dstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class QueueStreamTest {

    @Test
    void queueStream_oneAtATime_takesOneListPerBatchThenEmptyBatches() {
        Queue<List<String>> queue = new ConcurrentLinkedQueue<>(List.of(List.of("a", "b"), List.of(), List.of("c")));
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            BatchOutput<String> out = kit.collect(kit.context().queueStream(queue));
            kit.run(4);

            assertThat(out.batches()).containsExactly(List.of("a", "b"), List.of(), List.of("c"), List.of());
            assertThat(kit.batchInfos()).extracting(BatchInfo::numInputRecords).containsExactly(2L, 0L, 1L, 0L);
        }
    }

    @Test
    void queueStream_notOneAtATime_takesEveryQueuedList() {
        Queue<List<String>> queue = new ConcurrentLinkedQueue<>(List.of(List.of("a", "b"), List.of("c")));
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            BatchOutput<String> out = kit.collect(kit.context().queueStream(queue, false));
            kit.run(1);
            queue.add(List.of("d"));
            kit.run(2);

            assertThat(out.batches()).containsExactly(List.of("a", "b", "c"), List.of("d"), List.of());
        }
    }
}
