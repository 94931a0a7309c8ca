package dev.sluice.streaming.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Engine;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.input.ReceiverTracker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The quota rule of {@link RateController}, step by step: what a too-big batch cuts the quota
 * to, how much a small batch grows it (multiplicatively: ×1.5 under a quarter of the interval,
 * ×1.1 under 80%, at least +1), and when nothing changes; then a seeded random sequence of
 * batches against a plain-Java model of that rule.
 */
class RateControllerRuleTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private Engine engine;
    private ReceiverSupervisor<String> first;
    private ReceiverSupervisor<String> second;
    private RateController controller;

    @BeforeEach
    void setUp() {
        engine = Engine.builder().parallelism(1).localDir(dir).build();
        ReceiverTracker tracker = new ReceiverTracker(EngineServices.of(engine).inputBlocks(), 2);
        first = new ReceiverSupervisor<>(new Idle(), 0, e -> { }, Duration.ofMillis(1), Duration.ofMillis(2));
        second = new ReceiverSupervisor<>(new Idle(), 1, e -> { }, Duration.ofMillis(1), Duration.ofMillis(2));
        tracker.add(0, first);
        tracker.add(1, second);
        controller = new RateController(tracker, INTERVAL);
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private static BatchInfo batch(long millis, long records, long waitedMillis, long processingMillis) {
        return new BatchInfo(new Time(millis), records, millis, Duration.ofMillis(waitedMillis),
                Duration.ofMillis(processingMillis), 1, Optional.empty());
    }

    @ParameterizedTest(name = "quota {0}, processing {1} ms, waited {2} ms -> {3}")
    @CsvSource({
            "1000, 100, 0, 1500",    // under a quarter of the interval: x1.5
            "1000, 249, 0, 1500",
            "1000, 250, 0, 1100",    // under 80%: x1.1
            "1000, 799, 0, 1100",
            "1000, 800, 0, 1000",    // 80% and more: kept
            "1000, 1000, 0, 1000",   // exactly the interval is not too big
            "1000, 100, 100, 1000",  // waited a tenth of the interval: kept
            "1000, 100, 99, 1500",
            "2, 500, 0, 3",          // 2 x 1.1 rounds to 2: grows by at least one
            "5, 500, 0, 6",
    })
    void onBatchCompleted_limitedReceiverAndABatchThatWasNotTooBig_growsOrKeepsTheQuota(
            long quota, long processingMillis, long waitedMillis, long expected) {
        first.setBatchQuota(quota);

        controller.onBatchCompleted(batch(1000, 10, waitedMillis, processingMillis));

        assertThat(first.batchQuota()).isEqualTo(expected);
        assertThat(second.batchQuota()).as("never limited, stays unlimited").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void onBatchCompleted_growth_stopsAtTheConfiguredMaximum() {
        first.setMaxBatchQuota(1200);
        first.setBatchQuota(1000);

        controller.onBatchCompleted(batch(1000, 10, 0, 100));

        assertThat(first.batchQuota()).isEqualTo(1200);
    }

    @ParameterizedTest(name = "{0} records in {1} ms after waiting {2} ms -> {3} per receiver")
    @CsvSource({
            "4000000, 2000, 0, 900000",      // 1,000,000 per receiver per second, 90%
            "4000000, 2000, 1000, 450000",   // waited an interval: drained at half
            "4000000, 2000, 5000, 450000",   // the drain factor is at least a half
            "4000000, 2000, 250, 720000",    // 1 / (1 + 0.25) = 0.8
            "300, 2000, 0, 100",             // never below 100 records
    })
    void onBatchCompleted_batchTooBig_cutsEveryReceiverToItsShareOfOneIntervalTimesTheDrain(
            long records, long processingMillis, long waitedMillis, long expected) {
        controller.onBatchCompleted(batch(1000, records, waitedMillis, processingMillis));

        assertThat(first.batchQuota()).isEqualTo(expected);
        assertThat(second.batchQuota()).isEqualTo(expected);
    }

    @Test
    void onBatchCompleted_tooBigWithALowerQuotaAlready_cutsFromTheQuota() {
        first.setBatchQuota(500_000);

        controller.onBatchCompleted(batch(1000, 4_000_000, 0, 2000));

        assertThat(first.batchQuota()).isEqualTo(450_000);
        assertThat(second.batchQuota()).isEqualTo(900_000);
    }

    @Test
    void onBatchCompleted_noRecordsOrNoProcessingTime_changesNothing() {
        first.setBatchQuota(1000);

        controller.onBatchCompleted(batch(1000, 0, 0, 5000));
        controller.onBatchCompleted(batch(2000, 10, 0, 0));

        assertThat(first.batchQuota()).isEqualTo(1000);
    }

    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void onBatchCompleted_randomBatches_followTheModelOfTheRule(long seed) {
        Random rnd = new Random(seed);
        long max = rnd.nextBoolean() ? Long.MAX_VALUE : 1000 + rnd.nextInt(5_000_000);
        first.setMaxBatchQuota(max);
        Model model = new Model(max);
        long time = 0;
        for (int step = 0; step < 60; step++) {
            time += INTERVAL.toMillis() * (1 + rnd.nextInt(3));
            long records = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(3_000_000);
            long processing = rnd.nextInt(2500);
            long waited = rnd.nextInt(3) == 0 ? rnd.nextInt(3000) : 0;
            BatchInfo info = batch(time, records, waited, processing);

            controller.onBatchCompleted(info);
            model.onBatchCompleted(info);

            assertThat(first.batchQuota()).as("seed %d, step %d: %s", seed, step, info).isEqualTo(model.quota);
        }
    }

    /** The rule as documented, for one of two receivers, in plain Java. */
    private static final class Model {
        final long max;
        long quota;
        long admittedBeforeCut = -1;

        Model(long max) {
            this.max = max;
            this.quota = max;
        }

        void onBatchCompleted(BatchInfo info) {
            double interval = 1.0;
            double processing = info.processingTime().toMillis() / 1000.0;
            double waited = info.schedulingDelay().toMillis() / 1000.0;
            if (info.numInputRecords() == 0 || processing <= 0) {
                return;
            }
            boolean tooBig = processing > interval;
            if (tooBig && info.batchTime().millis() <= admittedBeforeCut) {
                return;
            }
            if (tooBig) {
                double perInterval = info.numInputRecords() / processing * interval / 2;
                double drain = Math.max(0.5, interval / (interval + waited));
                set(Math.max(100, Math.round(Math.min(quota, perInterval) * 0.9 * drain)));
                admittedBeforeCut = info.batchTime().millis() + Math.round((waited + processing) * 1000) + 1000;
            } else if (processing < 0.8 * interval && waited < interval / 10 && quota != Long.MAX_VALUE) {
                double growth = processing < interval / 4 ? 1.5 : 1.1;
                set(Math.max(quota + 1, Math.round(quota * growth)));
            }
        }

        private void set(long records) {
            quota = Math.max(1, Math.min(records, max));
        }
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
