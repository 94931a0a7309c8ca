package dev.sluice.streaming.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.testing.StreamingTestKit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class StreamingMetricsTest {

    private static List<List<Integer>> randomBatches(Random random, int batches) {
        List<List<Integer>> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int n = random.nextInt(50);
            out.add(IntStream.range(0, n).map(i -> random.nextInt(1000)).boxed().toList());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 42, 1234, 99_999})
    void inputRecordsAndBatchTimers_afterSeededBatches_matchWhatRan(long seed) {
        Random random = new Random(seed);
        int batches = 3 + random.nextInt(6);
        List<List<Integer>> left = randomBatches(random, batches);
        List<List<Integer>> right = randomBatches(random, batches);
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StreamingTestKit kit = StreamingTestKit.builder().meterRegistry(registry).build()) {
            DStream<Integer> a = kit.input(left).setName("left");
            DStream<Integer> b = kit.input(right).setName("right");
            kit.collect(a.union(b).map(x -> x * 2));
            kit.run(batches);

            long leftTotal = left.stream().mapToLong(List::size).sum();
            long rightTotal = right.stream().mapToLong(List::size).sum();
            assertThat(registry.get("sluice.input.records").tag("stream", "left").counter().count())
                    .as("records of 'left', seed %s", seed).isEqualTo(leftTotal);
            assertThat(registry.get("sluice.input.records").tag("stream", "right").counter().count())
                    .as("records of 'right', seed %s", seed).isEqualTo(rightTotal);
            double lastRate = right.get(batches - 1).size() / 1.0;
            assertThat(registry.get("sluice.input.rate").tag("stream", "right").gauge().value())
                    .as("rate of the last batch, seed %s", seed).isEqualTo(lastRate);

            List<BatchInfo> infos = kit.batchInfos();
            assertTimer(registry.get("sluice.batch.processing").timer(), infos.stream()
                    .mapToLong(i -> i.processingTime().toNanos()).sum(), batches, seed);
            assertTimer(registry.get("sluice.batch.scheduling.delay").timer(), infos.stream()
                    .mapToLong(i -> i.schedulingDelay().toNanos()).sum(), batches, seed);
            assertTimer(registry.get("sluice.batch.total.delay").timer(), infos.stream()
                    .mapToLong(i -> i.totalDelay().toNanos()).sum(), batches, seed);
            assertThat(registry.get("sluice.batches").tag("outcome", "succeeded").counter().count())
                    .isEqualTo(batches);
            assertThat(registry.get("sluice.lag.records").gauge().value()).as("lag once all completed").isZero();
            assertThat(registry.get("sluice.lag.seconds").gauge().value()).isZero();
        }
        assertThat(registry.find("sluice.input.records").meters()).as("meters removed at stop").isEmpty();
    }

    private static void assertTimer(Timer timer, long expectedNanos, int batches, long seed) {
        assertThat(timer.count()).as("%s count, seed %s", timer.getId().getName(), seed).isEqualTo(batches);
        assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).as("%s total, seed %s", timer.getId().getName(), seed)
                .isCloseTo(expectedNanos, within(1.0 * batches));
        assertThat(timer.takeSnapshot().percentileValues()).as("published percentiles").hasSize(3);
    }

    @Test
    void lag_whileABatchIsBlocked_risesWithEachQueuedBatch_andReturnsToZeroAfter() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sizes = List.of(5, 7, 11);
        List<List<Integer>> batches = sizes.stream().map(n -> IntStream.range(0, n).boxed().toList()).toList();
        try (StreamingTestKit kit = StreamingTestKit.builder().meterRegistry(registry).build()) {
            kit.input(batches).foreachBatch((ds, time) -> {
                if (time.millis() == 1000) {
                    entered.countDown();
                    release.await();
                }
                ds.count();
            });
            BatchEvents events = new BatchEvents(4);
            kit.context().addListener(events);
            kit.run(0);

            kit.clock().setTime(1000);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(gauge(registry, "sluice.lag.records")).as("batch 1 running").isEqualTo(5);
            kit.clock().setTime(2000);
            events.awaitSubmitted(2);
            assertThat(gauge(registry, "sluice.lag.records")).isEqualTo(5 + 7);
            assertThat(gauge(registry, "sluice.lag.seconds")).as("from the manual clock").isEqualTo(1.0);
            kit.clock().setTime(3000);
            events.awaitSubmitted(3);
            assertThat(gauge(registry, "sluice.lag.records")).isEqualTo(5 + 7 + 11);
            assertThat(gauge(registry, "sluice.lag.seconds")).isEqualTo(2.0);
            kit.clock().setTime(4000);
            events.awaitSubmitted(4);
            assertThat(gauge(registry, "sluice.lag.seconds")).isEqualTo(3.0);
            assertThat(kit.context().webUiUrl()).as("UI off in the test kit by default").isEmpty();

            release.countDown();
            events.awaitCompleted(4);
            assertThat(gauge(registry, "sluice.lag.records")).isZero();
            assertThat(gauge(registry, "sluice.lag.seconds")).isZero();
            assertThat(registry.get("sluice.batch.scheduling.delay").timer().max(TimeUnit.NANOSECONDS))
                    .as("batch 2 waited behind the blocked one").isPositive();
        }
    }

    private static double gauge(MeterRegistry registry, String name) {
        return registry.get(name).gauge().value();
    }

    /** Counts submitted and completed batches, for waits on latches. */
    static final class BatchEvents implements StreamingListener {
        private final List<CountDownLatch> submitted = new ArrayList<>();
        private final List<CountDownLatch> completed = new ArrayList<>();

        BatchEvents(int batches) {
            for (int i = 0; i < batches; i++) {
                submitted.add(new CountDownLatch(1));
                completed.add(new CountDownLatch(1));
            }
        }

        @Override
        public void onBatchSubmitted(Time batchTime, long numInputRecords) {
            submitted.get((int) (batchTime.millis() / 1000) - 1).countDown();
        }

        @Override
        public void onBatchCompleted(BatchInfo info) {
            completed.get((int) (info.batchTime().millis() / 1000) - 1).countDown();
        }

        void awaitSubmitted(int batch) throws InterruptedException {
            assertThat(submitted.get(batch - 1).await(10, TimeUnit.SECONDS)).as("batch %s submitted", batch).isTrue();
        }

        void awaitCompleted(int batch) throws InterruptedException {
            assertThat(completed.get(batch - 1).await(10, TimeUnit.SECONDS)).as("batch %s completed", batch).isTrue();
        }
    }
}
