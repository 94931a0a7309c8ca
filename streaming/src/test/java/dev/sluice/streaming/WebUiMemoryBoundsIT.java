package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.metrics.BatchHistory;
import dev.sluice.streaming.metrics.BatchRecord;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 10,000 batches through the test kit: the UI keeps the last N batches and nothing that grows with the run. */
@Timeout(180)
class WebUiMemoryBoundsIT {
    private static final int RETAINED = 250;

    @Test
    void history_after10000Batches_keepsOnlyTheLastRetainedBatches_andTheHeapStaysFlat() {
        List<Integer> batch = List.of(1, 2, 3, 4, 5);
        try (StreamingTestKit kit = StreamingTestKit.builder().retainedBatches(RETAINED).failOnBatchError(false).build()) {
            kit.input(Collections.nCopies(10_000, batch)).foreachBatch((ds, time) -> {
                if (time.millis() % 997_000 == 0 || time.millis() > 9_990_000) {
                    throw new IllegalStateException("a failure kept as text: " + "x".repeat(10_000));
                }
            });
            BatchHistory history = kit.context().observability().metrics().history();
            kit.run(1_000);
            long heapAt1000 = usedHeapAfterGc();
            List<BatchRecord> at1000 = history.retained();
            kit.run(9_000);
            long heapAt10000 = usedHeapAfterGc();
            List<BatchRecord> at10000 = history.retained();

            assertThat(history.totalCompleted()).isEqualTo(10_000);
            assertThat(at1000).hasSize(RETAINED);
            assertThat(at10000).hasSize(RETAINED).first().extracting(BatchRecord::batchTime)
                    .as("the oldest retained batch").isEqualTo((10_000L - RETAINED + 1) * 1000);
            assertThat(history.pending()).isEmpty();
            assertThat(at10000).allSatisfy(r -> assertThat(r.error().map(String::length).orElse(0))
                    .as("error text is cut").isLessThanOrEqualTo(4_001));
            assertThat(heapAt10000 - heapAt1000).as("heap growth from batch 1,000 to 10,000 (bytes)")
                    .isLessThan(16L << 20);
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
