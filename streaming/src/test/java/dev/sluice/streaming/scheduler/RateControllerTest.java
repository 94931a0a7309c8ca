package dev.sluice.streaming.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Engine;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.RateLimitedInput;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.input.ReceiverTracker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RateControllerTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private Engine engine;
    private ReceiverSupervisor<String> supervisor;
    private RateController controller;

    @BeforeEach
    void setUp() {
        engine = Engine.local(1);
        ReceiverTracker tracker = new ReceiverTracker(EngineServices.of(engine).inputBlocks(), 1);
        supervisor = new ReceiverSupervisor<>(new Idle(), 0, e -> { }, Duration.ofMillis(1), Duration.ofMillis(2));
        tracker.add(0, supervisor);
        controller = new RateController(tracker, SECOND);
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private static BatchInfo batch(long millis, long records, Duration waited, Duration processing) {
        return new BatchInfo(new Time(millis), records, millis, waited, processing, 1, Optional.empty());
    }

    @Test
    void onBatchCompleted_keepingUp_leavesReceiversUnlimited() {
        controller.onBatchCompleted(batch(1000, 500_000, Duration.ZERO, Duration.ofMillis(300)));

        assertThat(supervisor.batchQuota()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void onBatchCompleted_batchTooBig_cutsQuotaToWhatOneIntervalProcesses() {
        controller.onBatchCompleted(batch(1000, 4_000_000, Duration.ZERO, Duration.ofSeconds(2)));

        // 2,000,000 records per second, 90% of it, no backlog.
        assertThat(supervisor.batchQuota()).isEqualTo(1_800_000);
    }

    @Test
    void onBatchCompleted_batchesTakenInBeforeTheCut_doNotCutAgain() {
        controller.onBatchCompleted(batch(1000, 4_000_000, Duration.ZERO, Duration.ofSeconds(2)));
        controller.onBatchCompleted(batch(2000, 3_000_000, Duration.ofSeconds(1), Duration.ofMillis(1500)));

        assertThat(supervisor.batchQuota()).isEqualTo(1_800_000);
    }

    @Test
    void onBatchCompleted_onlyWaitedBehindABigBatch_changesNothing() {
        controller.onBatchCompleted(batch(1000, 10, Duration.ofSeconds(3), Duration.ofMillis(1)));

        assertThat(supervisor.batchQuota()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void onBatchCompleted_smallBatchesAfterACut_growTheQuotaBackUpToTheMaximum() {
        supervisor.setMaxBatchQuota(3_000_000);
        controller.onBatchCompleted(batch(1000, 4_000_000, Duration.ZERO, Duration.ofSeconds(2)));
        long cut = supervisor.batchQuota();
        List<Long> quotas = new java.util.ArrayList<>();
        for (int b = 0; b < 20; b++) {
            controller.onBatchCompleted(batch(10_000 + b * 1000L, 100_000, Duration.ZERO, Duration.ofMillis(100)));
            quotas.add(supervisor.batchQuota());
        }

        assertThat(quotas).isSorted();
        assertThat(quotas.get(0)).isGreaterThan(cut);
        assertThat(quotas.get(quotas.size() - 1)).isEqualTo(3_000_000L);
    }

    @Test
    void onBatchCompleted_rateLimitedInputBesideAReceiver_getsItsShareCutAndGrowsBack() {
        ReceiverTracker tracker = new ReceiverTracker(EngineServices.of(engine).inputBlocks(), 1);
        tracker.add(0, supervisor);
        long[] quota = {Long.MAX_VALUE};
        RateLimitedInput direct = new RateLimitedInput() {
            @Override
            public long batchQuota() {
                return quota[0];
            }

            @Override
            public void setBatchQuota(long records) {
                quota[0] = records;
            }
        };
        RateController both = new RateController(tracker, () -> List.of(direct), SECOND);

        both.onBatchCompleted(batch(1000, 4_000_000, Duration.ZERO, Duration.ofSeconds(2)));
        // 2,000,000 records per second over two quota holders, 90% of it.
        assertThat(quota[0]).isEqualTo(900_000);
        assertThat(supervisor.batchQuota()).isEqualTo(900_000);

        both.onBatchCompleted(batch(10_000, 100_000, Duration.ZERO, Duration.ofMillis(100)));
        assertThat(quota[0]).isEqualTo(1_350_000);
    }

    /** A receiver that receives nothing: the controller only needs its supervisor. */
    private static final class Idle extends Receiver<String> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }
    }
}
