package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class StreamingListenerTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @Test
    void events_twoBatches_arriveInOrderWithStatistics() {
        List<String> events = new CopyOnWriteArrayList<>();
        List<BatchInfo> completed = new CopyOnWriteArrayList<>();
        try (StreamingTestKit kit = StreamingTestKit.create(INTERVAL)) {
            kit.collect(kit.input(List.of(List.of(1, 2, 3), List.of())));
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onStreamingStarted(long startMillis) {
                    events.add("started " + startMillis);
                }

                @Override
                public void onBatchSubmitted(Time batchTime, long numInputRecords) {
                    events.add("submitted " + batchTime + " with " + numInputRecords);
                }

                @Override
                public void onBatchStarted(Time batchTime) {
                    events.add("batch started " + batchTime);
                }

                @Override
                public void onBatchCompleted(BatchInfo info) {
                    events.add("completed " + info.batchTime());
                    completed.add(info);
                }

                @Override
                public void onStreamingStopped() {
                    events.add("stopped");
                }
            });
            kit.run(2);
        }

        assertThat(events).containsExactly("started 0", "submitted 1000 ms with 3", "batch started 1000 ms",
                "completed 1000 ms", "submitted 2000 ms with 0", "batch started 2000 ms", "completed 2000 ms",
                "stopped");
        assertThat(completed).extracting(BatchInfo::numInputRecords).containsExactly(3L, 0L);
        assertThat(completed).allSatisfy(info -> {
            assertThat(info.schedulingDelay().isNegative()).isFalse();
            assertThat(info.processingTime().isNegative()).isFalse();
            assertThat(info.totalDelay()).isEqualTo(info.schedulingDelay().plus(info.processingTime()));
            assertThat(info.numJobs()).isEqualTo(1);
            assertThat(info.succeeded()).isTrue();
        });
    }

    @Test
    void kitRun_returns_afterEveryListenerSawTheBatchComplete() {
        List<Boolean> kitAlreadyDone = new CopyOnWriteArrayList<>();
        try (StreamingTestKit kit = StreamingTestKit.create(INTERVAL)) {
            kit.collect(kit.input(List.of(List.of(1))));
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onBatchCompleted(BatchInfo info) {
                    kitAlreadyDone.add(kit.batchInfos().contains(info));
                }
            });
            kit.run(2);

            assertThat(kitAlreadyDone).containsExactly(false, false);
        }
    }

    @Test
    void listenerThrows_everyEvent_streamGoesOn() {
        try (StreamingTestKit kit = StreamingTestKit.create(INTERVAL)) {
            BatchOutput<Integer> out = kit.collect(kit.input(List.of(List.of(1), List.of(2))));
            kit.context().addListener(new ThrowingListener());
            kit.run(2);

            assertThat(out.batches()).containsExactly(List.of(1), List.of(2));
            assertThat(kit.batchInfos()).allMatch(BatchInfo::succeeded);
        }
    }

    private static final class ThrowingListener implements StreamingListener {
        @Override
        public void onStreamingStarted(long startMillis) {
            throw new IllegalStateException("listener bug");
        }

        @Override
        public void onBatchSubmitted(Time batchTime, long numInputRecords) {
            throw new IllegalStateException("listener bug");
        }

        @Override
        public void onBatchStarted(Time batchTime) {
            throw new IllegalStateException("listener bug");
        }

        @Override
        public void onBatchCompleted(BatchInfo info) {
            throw new IllegalStateException("listener bug");
        }
    }
}
