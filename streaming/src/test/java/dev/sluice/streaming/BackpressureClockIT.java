package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression for "backpressure only under the system clock": under a manual clock the batch
 * interval is not real time, so batches that take longer (in wall time) than the interval must
 * neither cut the receivers' quota nor close the queue gate; under the system clock the same
 * slow batch does cut it. The slow job spins on the wall clock to make its processing time
 * longer than the interval; it decides nothing about which record lands in which batch.
 */
@Timeout(60)
class BackpressureClockIT {
    private static final long WAIT_SECONDS = 10;
    private static final Duration INTERVAL = Duration.ofMillis(10);

    @Test
    void backpressure_underAManualClock_slowBatchesNeitherCutTheQuotaNorCloseTheGate() throws Exception {
        Handed receiver = new Handed();
        CountDownLatch heldEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(INTERVAL).build()) {
            DStream<String> in = kit.context().receiverStream(receiver);
            in.foreachBatch((ds, time) -> {
                List<String> values = ds.collect();
                if (values.contains("hold")) {
                    heldEntered.countDown();
                    release.await();
                } else if (!values.isEmpty()) {
                    spin(Duration.ofMillis(50)); // five intervals of the manual clock, in wall time
                }
            });
            BatchOutput<String> out = kit.collect(in);
            CompletableFuture<Void> secondSubmitted = new CompletableFuture<>();
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onBatchSubmitted(Time batchTime, long records) {
                    if (batchTime.millis() == 4 * INTERVAL.toMillis()) {
                        secondSubmitted.complete(null);
                    }
                }
            });
            kit.run(0);
            receiver.store(records("a", 1000));
            kit.run(1);

            assertThat(supervisor(kit.context()).batchQuota()).as("quota after a batch 5x longer than the interval")
                    .isEqualTo(Long.MAX_VALUE);
            CompletableFuture.runAsync(() -> records("b", 1000).forEach(receiver::store))
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            kit.run(1);
            assertThat(out.batch(1)).hasSize(1000);

            // Batch 3 is held running while batch 4 queues behind it: the gate must stay open.
            receiver.store("hold");
            kit.clock().setTime(3 * INTERVAL.toMillis());
            assertThat(heldEntered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            kit.clock().setTime(4 * INTERVAL.toMillis());
            secondSubmitted.get(WAIT_SECONDS, TimeUnit.SECONDS);
            CompletableFuture.runAsync(() -> receiver.store("while queued")).get(WAIT_SECONDS, TimeUnit.SECONDS);
            release.countDown();
            kit.run(1);

            assertThat(out.batches().subList(2, 5)).containsExactly(List.of("hold"), List.of(), List.of("while queued"));
        } finally {
            release.countDown();
        }
    }

    @Test
    void backpressure_underTheSystemClock_aBatchLongerThanTheIntervalCutsTheQuota() throws Exception {
        Handed receiver = new Handed();
        StreamingContext context = StreamingContext.builder().batchInterval(Duration.ofMillis(50)).parallelism(2)
                .build();
        context.receiverStream(receiver).foreachBatch((ds, time) -> {
            if (ds.count() > 0) {
                spin(Duration.ofMillis(200));
            }
        });
        CompletableFuture<Long> quotaAfterSlowBatch = new CompletableFuture<>();
        context.addListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchInfo info) {
                // Listeners run in order; the rate controller was added when the context was built.
                if (info.numInputRecords() > 0 && info.processingTime().compareTo(Duration.ofMillis(50)) > 0) {
                    quotaAfterSlowBatch.complete(supervisor(context).batchQuota());
                }
            }
        });
        try {
            context.start();
            receiver.store(records("a", 1000));

            assertThat(quotaAfterSlowBatch.get(WAIT_SECONDS, TimeUnit.SECONDS)).isBetween(100L, 1000L);
        } finally {
            context.stop();
        }
    }

    private static ReceiverSupervisor<?> supervisor(StreamingContext context) {
        return context.runtime().receiverTracker().supervisors().values().iterator().next();
    }

    private static void spin(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static List<String> records(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    /** Stores what the test hands it; has no thread of its own. */
    private static final class Handed extends Receiver<String> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }
    }
}
