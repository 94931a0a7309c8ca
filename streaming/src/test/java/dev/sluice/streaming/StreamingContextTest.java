package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.ManualClock;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lifecycle and failure handling of {@link StreamingContext}. */
class StreamingContextTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @Test
    void map_afterStart_failsSayingToDefineThePipelineFirst() {
        try (StreamingTestKit kit = StreamingTestKit.create(INTERVAL)) {
            DStream<Integer> in = kit.input(List.of(List.of(1)));
            kit.collect(in);
            kit.run(1);

            assertThatThrownBy(() -> in.map(x -> x)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot add an operation after start(); define the whole pipeline before calling start()");
            assertThatThrownBy(() -> in.foreachBatch((ds, t) -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot add an operation after start()");
            assertThatThrownBy(() -> kit.input(List.of())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot add an operation after start()");
        }
    }

    @Test
    void start_twice_fails() {
        try (StreamingContext context = queueContext(false)) {
            context.start();
            assertThatThrownBy(context::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already started");
            assertThat(context.state()).isEqualTo(StreamingContext.State.ACTIVE);
        }
    }

    @Test
    void start_noOutputOperation_failsSayingWhatToAdd() {
        try (StreamingContext context = builder().build()) {
            context.queueStream(new ArrayDeque<List<Integer>>()).map(x -> x);
            assertThatThrownBy(context::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContainingAll("no output operation", "print()", "foreachBatch");
            assertThat(context.state()).isEqualTo(StreamingContext.State.INITIALIZED);
        }
    }

    @Test
    void start_afterStop_failsSayingToBuildANewContext() {
        StreamingContext context = queueContext(false);
        context.start();
        context.stop();
        assertThatThrownBy(context::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll("cannot restart a stopped StreamingContext", "build a new one");
    }

    @Test
    void build_withoutBatchInterval_failsNamingIt() {
        assertThatThrownBy(() -> StreamingContext.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("batchInterval is required");
        assertThatThrownBy(() -> StreamingContext.builder().batchInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchInterval");
    }

    @Test
    void stop_calledAgain_doesNothing() throws InterruptedException {
        StreamingContext context = queueContext(false);
        AtomicInteger stops = new AtomicInteger();
        context.addListener(new StreamingListener() {
            @Override
            public void onStreamingStopped() {
                stops.incrementAndGet();
            }
        });
        context.start();
        context.stop();
        context.stop(true);
        context.close();

        assertThat(context.state()).isEqualTo(StreamingContext.State.STOPPED);
        assertThat(context.engine().isClosed()).isTrue();
        assertThat(stops).hasValue(1);
        assertThat(context.awaitTerminationOrTimeout(Duration.ZERO)).isTrue();
    }

    @Test
    void awaitTerminationOrTimeout_running_returnsFalseUntilStopped() throws InterruptedException {
        StreamingContext context = queueContext(false);
        context.start();
        assertThat(context.awaitTerminationOrTimeout(Duration.ofMillis(1))).isFalse();

        context.stop();
        assertThat(context.awaitTerminationOrTimeout(Duration.ofMillis(1))).isTrue();
    }

    @Test
    @Timeout(30)
    void awaitTermination_stopOnFailureAndBatchFails_stopsAndRethrowsTheCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        ManualClock clock = new ManualClock();
        StreamingContext context = builder().clock(clock).stopOnFailure(true).build();
        context.queueStream(new ArrayDeque<List<Integer>>()).foreachBatch((ds, time) -> {
            throw boom;
        });
        context.start();
        clock.advance(INTERVAL);

        assertThatThrownBy(context::awaitTermination).isInstanceOf(SluiceException.class)
                .hasMessageContaining("a batch failed").cause().isSameAs(boom);
        assertThat(context.state()).isEqualTo(StreamingContext.State.STOPPED);
    }

    @Test
    void userFunctionThrows_withoutStopOnFailure_failsOnlyThatBatch() {
        IllegalStateException boom = new IllegalStateException("boom");
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(INTERVAL).failOnBatchError(false)
                .build()) {
            DStream<Integer> in = kit.input(List.of(List.of(1), List.of(2), List.of(3)));
            in.foreachBatch((ds, time) -> {
                if (time.millis() == 2000) {
                    throw boom;
                }
            });
            BatchOutput<Integer> out = kit.collect(in);
            kit.run(3);

            assertThat(kit.batchInfos().get(1).batchTime()).isEqualTo(new Time(2000));
            assertThat(kit.batchInfos().get(1).failure()).containsSame(boom);
            assertThat(kit.batchInfos()).filteredOn(BatchInfo::succeeded).extracting(BatchInfo::batchTime)
                    .containsExactly(new Time(1000), new Time(3000));
            assertThat(out.batches()).containsExactly(List.of(1), List.of(2), List.of(3));
            assertThat(kit.context().state()).isEqualTo(StreamingContext.State.ACTIVE);
        }
    }

    private static StreamingContext.Builder builder() {
        return StreamingContext.builder().batchInterval(INTERVAL).parallelism(1).clock(new ManualClock());
    }

    private static StreamingContext queueContext(boolean stopOnFailure) {
        StreamingContext context = builder().stopOnFailure(stopOnFailure).build();
        Queue<List<Integer>> queue = new ArrayDeque<>();
        context.queueStream(queue).foreachBatch((ds, time) -> { });
        return context;
    }
}
