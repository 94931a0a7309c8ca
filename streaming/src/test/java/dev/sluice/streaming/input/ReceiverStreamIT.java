package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.ReceiverError;
import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.ManualClock;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReceiverStreamIT {

    @Test
    void receiverStream_recordsStoredBeforeATick_areInThatBatch() {
        TestReceiver receiver = new TestReceiver();
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            BatchOutput<String> out = kit.collect(kit.context().receiverStream(receiver));
            kit.run(1);
            receiver.store("a");
            receiver.store(List.of("b", "c"));
            kit.run(1);
            receiver.store("d");
            kit.run(2);

            assertThat(out.batches()).containsExactly(List.of(), List.of("a", "b", "c"), List.of("d"), List.of());
            assertThat(kit.batchInfos()).extracting(BatchInfo::numInputRecords).containsExactly(0L, 3L, 1L, 0L);
            assertThat(kit.context().receiverStatuses()).singleElement()
                    .extracting(ReceiverStatus::receiverName, ReceiverStatus::recordsStored)
                    .containsExactly("TestReceiver", 4L);
        }
    }

    @Test
    void restart_requestedByReceiver_callsOnStopThenOnStartAndTellsListeners() throws Exception {
        TestReceiver receiver = new TestReceiver();
        CompletableFuture<ReceiverError> reported = new CompletableFuture<>();
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            kit.collect(kit.context().receiverStream(receiver));
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onReceiverError(ReceiverError error) {
                    reported.complete(error);
                }
            });
            kit.run(1);
            assertThat(receiver.started.await(10, TimeUnit.SECONDS)).isTrue();

            receiver.restart("source went away");

            assertThat(receiver.stopped.await(10, TimeUnit.SECONDS)).as("onStop called").isTrue();
            assertThat(receiver.restarted.await(10, TimeUnit.SECONDS)).as("onStart called again").isTrue();
            assertThat(reported.get(10, TimeUnit.SECONDS).message()).isEqualTo("source went away");
            assertThat(kit.context().receiverStatuses()).singleElement().satisfies(s -> {
                assertThat(s.restarts()).isEqualTo(1);
                assertThat(s.errors()).isEqualTo(1);
            });
            receiver.store("after restart");
            kit.run(1);
            assertThat(kit.batchInfos().get(1).numInputRecords()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(5)
    void stop_whileARestartWaitsOutItsBackOff_returnsWithoutWaitingForIt() throws Exception {
        TestReceiver receiver = new TestReceiver();
        StreamingContext context = StreamingContext.builder().batchInterval(Duration.ofSeconds(1))
                .clock(new ManualClock()).receiverRestartDelay(Duration.ofMinutes(1), Duration.ofMinutes(1)).build();
        context.receiverStream(receiver).foreachBatch((ds, time) -> { });
        context.start();
        assertThat(receiver.started.await(10, TimeUnit.SECONDS)).isTrue();
        receiver.restart("source went away");
        assertThat(receiver.stopped.await(10, TimeUnit.SECONDS)).isTrue();

        context.stop();

        assertThat(context.state()).isEqualTo(StreamingContext.State.STOPPED);
        assertThat(receiver.restarted.getCount()).as("not started again").isEqualTo(1);
    }

    /** Stores what the test hands it; counts its starts and stops with latches. */
    @Test
    void windowSkippingBatches_receivedBlocksOfSkippedBatches_areReleased() {
        TestReceiver receiver = new TestReceiver();
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            // A window of 2 batches every 5: no dataset is ever built for 3 batches out of 5.
            BatchOutput<String> out = kit.collect(kit.context().receiverStream(receiver)
                    .window(Duration.ofSeconds(2), Duration.ofSeconds(5)));
            BlockStore blocks = EngineServices.of(kit.context().engine()).runtime().blockStore();
            int most = 0;
            for (int b = 1; b <= 40; b++) {
                receiver.store("r" + b);
                kit.run(1);
                most = Math.max(most, blocks.size());
            }
            assertThat(out.batch(7)).containsExactlyInAnyOrder("r39", "r40");
            assertThat(most).as("blocks held at most, over 40 batches").isLessThanOrEqualTo(8);
        }
    }

    @Test
    void batchQuota_fasterSource_eachBatchTakesAtMostTheQuotaAndNothingIsLost() throws Exception {
        TestReceiver receiver = new TestReceiver();
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .receiverMaxRate(100).build()) { // 100 records/s at 1 s batches: a quota of 100 per batch
            DStream<String> stream = kit.context().receiverStream(receiver);
            BatchOutput<String> out = kit.collect(stream);
            kit.run(1);
            Thread source = new Thread(() -> {
                for (int i = 0; i < 250; i++) {
                    receiver.store("r" + i); // blocks while 100 records wait for the next batch
                }
            }, "fast-source");
            source.start();
            for (long stored : new long[] {100, 200, 250}) {
                awaitStored(kit, stored);
                kit.run(1);
            }
            source.join(10_000);

            assertThat(out.batches().subList(1, 4)).extracting(List::size).containsExactly(100, 100, 50);
            assertThat(out.all()).hasSize(250).doesNotHaveDuplicates();
        }
    }

    /** Waits until the receiver has stored {@code n} records; the bound is only a safety net. */
    private static void awaitStored(StreamingTestKit kit, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (kit.context().receiverStatuses().get(0).recordsStored() < n && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(kit.context().receiverStatuses().get(0).recordsStored()).isEqualTo(n);
    }

    static final class TestReceiver extends dev.sluice.streaming.Receiver<String> {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch restarted = new CountDownLatch(2);
        final CountDownLatch stopped = new CountDownLatch(1);

        @Override
        public void onStart() {
            started.countDown();
            restarted.countDown();
        }

        @Override
        public void onStop() {
            stopped.countDown();
        }
    }
}
