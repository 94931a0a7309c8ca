package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.testing.StreamingTestKit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ReceiverMetricsTest {

    /** Asks for one restart on its first start; stores from the test's threads. */
    static final class RestartingReceiver extends Receiver<String> {
        final CountDownLatch restarted = new CountDownLatch(1);
        private volatile int starts;

        @Override
        public void onStart() {
            if (starts++ == 0) {
                restart("first start fails on purpose");
            } else {
                restarted.countDown();
            }
        }

        @Override
        public void onStop() {
        }

        @Override
        public String name() {
            return "restarting";
        }
    }

    @Test
    void receiverMeters_countRecordsRestartsAndErrors_andShowStatus() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        RestartingReceiver receiver = new RestartingReceiver();
        try (StreamingTestKit kit = StreamingTestKit.builder().meterRegistry(registry).build()) {
            kit.collect(kit.context().receiverStream(receiver));
            kit.run(0);
            assertThat(receiver.restarted.await(10, TimeUnit.SECONDS)).isTrue();
            receiver.store(List.of("a", "b", "c"));
            kit.run(1);
            receiver.store("d");
            kit.run(1);

            assertThat(registry.get("sluice.input.records").tag("stream", "restarting").counter().count()).isEqualTo(4);
            assertThat(registry.get("sluice.receiver.restarts").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("sluice.receiver.errors").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("sluice.receiver.status").gauge().value()).isEqualTo(1);
            assertThat(registry.get("sluice.backpressure.quota").gauge().value()).as("never limited")
                    .isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(registry.get("sluice.receiver.blocked").timer().count()).as("one sample per batch").isEqualTo(2);
        }
    }

    /** Stores from the test's threads only. */
    static final class PlainReceiver extends Receiver<Integer> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }
    }

    @Test
    void quota_thatHoldsAReceiver_showsAsThrottledBatchesAndBlockedTime() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        PlainReceiver receiver = new PlainReceiver();
        try (StreamingTestKit kit = StreamingTestKit.builder().meterRegistry(registry).build()) {
            kit.collect(kit.context().receiverStream(receiver));
            ReceiverSupervisor<?> supervisor = kit.context().runtime().receiverTracker().supervisors()
                    .values().iterator().next();
            supervisor.setBatchQuota(5);
            kit.run(0);
            CountDownLatch stored = new CountDownLatch(1);
            Thread source = new Thread(() -> {
                for (int i = 0; i < 8; i++) {
                    receiver.store(i); // blocks at the sixth until the batch takes the first five
                }
                stored.countDown();
            });
            source.start();
            awaitBuffered(supervisor, 5);
            kit.run(1);
            assertThat(registry.get("sluice.backpressure.throttled.batches").gauge().value())
                    .as("a batch that filled its quota is throttled").isEqualTo(1);
            assertThat(stored.await(10, TimeUnit.SECONDS)).isTrue();
            kit.run(1);

            assertThat(registry.get("sluice.backpressure.quota").gauge().value()).isEqualTo(5);
            assertThat(registry.get("sluice.input.records").counter().count()).isEqualTo(8);
            assertThat(registry.get("sluice.receiver.blocked").timer().totalTime(TimeUnit.NANOSECONDS))
                    .as("the source waited for the first batch").isPositive();
            source.join();
        }
    }

    /** Waits (bounded) until {@code n} records wait in the buffer; the quota, not timing, decides the batch. */
    private static void awaitBuffered(ReceiverSupervisor<?> supervisor, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (supervisor.buffered() < n) {
            assertThat(System.nanoTime()).as("%s records buffered in time", n).isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
