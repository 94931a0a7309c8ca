package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.streaming.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code awaitTermination} rethrows the error that stopped the context, naming the batch, with the user's cause. */
@Timeout(60)
class AwaitTerminationTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration SAFETY = Duration.ofSeconds(30);

    @Test
    void awaitTermination_taskThrowsWithStopOnFailure_rethrowsUserExceptionAsCauseNamingTheBatch() {
        IllegalStateException boom = new IllegalStateException("boom on 3");
        ManualClock clock = new ManualClock();
        StreamingContext context = context(clock, true);
        Queue<List<Integer>> queue = new ArrayDeque<>(List.of(List.of(1, 2), List.of(3, 4)));
        List<Long> sums = new java.util.concurrent.CopyOnWriteArrayList<>();
        context.queueStream(queue).map(x -> {
            if (x == 3) {
                throw boom;
            }
            return (long) x;
        }).foreachBatch((ds, time) -> sums.add(ds.fold(0L, Long::sum)));
        context.start();
        clock.advance(INTERVAL.multipliedBy(2));

        assertThatThrownBy(context::awaitTermination).isInstanceOf(StreamingFailedException.class)
                .hasMessageContainingAll("a batch failed", "batch 2000 ms", "partition")
                .satisfies(e -> assertThat(((StreamingFailedException) e).batchTime()).isEqualTo(new Time(2000)))
                .cause().isSameAs(boom);
        assertThat(sums).as("the batch before the failing one ran").containsExactly(3L);
        assertThat(context.state()).isEqualTo(StreamingContext.State.STOPPED);
    }

    @Test
    void awaitTerminationOrTimeout_buildingDatasetsThrowsWithStopOnFailure_rethrowsTheCause() {
        IllegalArgumentException bad = new IllegalArgumentException("no dataset for you");
        ManualClock clock = new ManualClock();
        StreamingContext context = context(clock, true);
        context.queueStream(new ConcurrentLinkedQueue<List<Integer>>()).transform((ds, time) -> {
            if (time.millis() == 1000) {
                throw bad;
            }
            return ds;
        }).foreachBatch((ds, time) -> ds.count());
        context.start();
        clock.advance(INTERVAL);

        assertThatThrownBy(() -> context.awaitTerminationOrTimeout(SAFETY))
                .isInstanceOf(StreamingFailedException.class).hasMessageContaining("batch 1000 ms")
                .cause().isSameAs(bad);
        // Every later call rethrows as well, as Spark's does.
        assertThatThrownBy(context::awaitTermination).isInstanceOf(StreamingFailedException.class)
                .cause().isSameAs(bad);
    }

    @Test
    void awaitTermination_generatorFailsWithoutStopOnFailure_stopsTheContextAndRethrows() {
        IllegalStateException clockBroke = new IllegalStateException("clock source lost");
        ManualClock manual = new ManualClock();
        java.util.concurrent.CountDownLatch firstBatchRan = new java.util.concurrent.CountDownLatch(1);
        Clock failing = new Clock() {
            @Override
            public long millis() {
                return manual.millis();
            }

            @Override
            public void waitUntil(long targetMillis) throws InterruptedException {
                if (targetMillis == 2000) {
                    // Fail only once batch 1000 ran: a failing generator stops at once, dropping queued batches.
                    firstBatchRan.await();
                    throw clockBroke;
                }
                manual.waitUntil(targetMillis);
            }
        };
        StreamingContext context = context(failing, false);
        List<Long> counts = new java.util.concurrent.CopyOnWriteArrayList<>();
        context.queueStream(new ArrayDeque<>(List.of(List.of(1, 2, 3)))).foreachBatch((ds, t) -> {
            counts.add(ds.count());
            firstBatchRan.countDown();
        });
        context.start();
        manual.advance(INTERVAL);

        assertThatThrownBy(context::awaitTermination).isInstanceOf(StreamingFailedException.class)
                .hasMessageContainingAll("the batch generator failed", "batch 2000 ms").cause().isSameAs(clockBroke);
        assertThat(context.state()).isEqualTo(StreamingContext.State.STOPPED);
        assertThat(counts).as("batch 1000 ran before the generator failed").containsExactly(3L);
    }

    @Test
    void awaitTerminationOrTimeout_batchFailsWithoutStopOnFailure_keepsRunningAndReturnsNormallyAfterStop()
            throws InterruptedException {
        ManualClock clock = new ManualClock();
        StreamingContext context = context(clock, false);
        java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
        context.addListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchInfo info) {
                if (info.failure().isPresent()) {
                    failed.countDown();
                }
            }
        });
        context.queueStream(new ArrayDeque<List<Integer>>()).foreachBatch((ds, t) -> {
            throw new IllegalStateException("only this batch");
        });
        context.start();
        clock.advance(INTERVAL);
        assertThat(failed.await(SAFETY.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        assertThat(context.awaitTerminationOrTimeout(Duration.ofMillis(1))).isFalse();
        assertThat(context.state()).isEqualTo(StreamingContext.State.ACTIVE);
        context.stop();
        assertThat(context.awaitTerminationOrTimeout(Duration.ZERO)).isTrue();
    }

    private static StreamingContext context(Clock clock, boolean stopOnFailure) {
        return StreamingContext.builder().appName("await-test").batchInterval(INTERVAL).parallelism(2).clock(clock)
                .stopOnFailure(stopOnFailure).build();
    }
}
