package dev.sluice.streaming.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.core.Engine;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.BatchJob;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job scheduler on its job thread: batches queued behind a running one run in batch order,
 * each batch's jobs in output order; a graceful stop runs every queued batch first, an immediate
 * one drops them; a failing job fails its batch only; and a context built with
 * {@code stopOnFailure} stops after the failing batch and reports it. The first batch's first
 * job waits on a latch, so the others are queued when the test goes on.
 */
@Timeout(30)
class JobSchedulerIT {
    private static final long WAIT_SECONDS = 10;
    private static final int JOBS = 3;

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<BatchInfo> completed = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<Long> failedBatchTimes = new CopyOnWriteArrayList<>();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<Long, CompletableFuture<BatchInfo>> done = new ConcurrentHashMap<>();
    private JobScheduler scheduler;
    private Engine engine;

    @BeforeEach
    void setUp() {
        ListenerBus bus = new ListenerBus();
        bus.add(new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchInfo info) {
                completed.add(info);
                future(info.batchTime().millis()).complete(info);
            }
        });
        engine = Engine.local(1);
        scheduler = new JobScheduler(new DStreamGraph(engine, Duration.ofSeconds(1), () -> { }), bus,
                (time, failure) -> {
                    failedBatchTimes.add(time.millis());
                    failures.add(failure);
                });
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        scheduler.stop(false, Duration.ofSeconds(WAIT_SECONDS));
        engine.close();
    }

    private CompletableFuture<BatchInfo> future(long millis) {
        return done.computeIfAbsent(millis, t -> new CompletableFuture<>());
    }

    /** Submits batch {@code b} (at {@code b} seconds) of {@link #JOBS} jobs; batch 1's first job waits for the latch. */
    private void submit(int b, int failingJob) {
        Time time = new Time(b * 1000L);
        List<BatchJob> jobs = new ArrayList<>();
        for (int j = 0; j < JOBS; j++) {
            int job = j;
            jobs.add(new BatchJob(time, "output " + j, () -> {
                ran.add(b + "." + job);
                if (b == 1 && job == 0) {
                    entered.countDown();
                    release.await();
                }
                if (job == failingJob) {
                    throw new IllegalStateException("job " + job + " of batch " + b + " failed");
                }
            }));
        }
        scheduler.submit(new JobSet(time, jobs, 0, time.millis(), System.nanoTime(), null));
    }

    private static List<String> reference(int batches) {
        List<String> out = new ArrayList<>();
        for (int b = 1; b <= batches; b++) {
            for (int j = 0; j < JOBS; j++) {
                out.add(b + "." + j);
            }
        }
        return out;
    }

    @Test
    void submit_batchesQueuedBehindARunningOne_runInBatchOrderEachWithItsJobsInOutputOrder() throws Exception {
        for (int b = 1; b <= 6; b++) {
            submit(b, -1);
        }
        assertThat(entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).as("nothing runs beside the running job").containsExactly("1.0");

        release.countDown();
        future(6000).get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(ran).isEqualTo(reference(6));
        assertThat(completed).extracting(i -> i.batchTime().millis())
                .containsExactly(1000L, 2000L, 3000L, 4000L, 5000L, 6000L);
        assertThat(completed).allSatisfy(i -> assertThat(i.numJobs()).isEqualTo(JOBS));
    }

    @Test
    void stop_draining_runsEveryQueuedBatchBeforeReturning() throws Exception {
        for (int b = 1; b <= 4; b++) {
            submit(b, -1);
        }
        assertThat(entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(
                () -> scheduler.stop(true, Duration.ofSeconds(WAIT_SECONDS)));

        release.countDown();
        stopped.get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(ran).isEqualTo(reference(4));
        assertThat(completed).extracting(BatchInfo::succeeded).containsExactly(true, true, true, true);
    }

    @Test
    void stop_notDraining_endsTheRunningBatchAndDropsTheQueuedOnes() throws Exception {
        for (int b = 1; b <= 4; b++) {
            submit(b, -1);
        }
        assertThat(entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        scheduler.stop(false, Duration.ofSeconds(WAIT_SECONDS));

        // The waiting job is interrupted: batch 1 ends (failed by the interrupt), 2..4 never start.
        assertThat(completed).extracting(i -> i.batchTime().millis()).containsExactly(1000L);
        assertThat(ran).allMatch(r -> r.startsWith("1."));
    }

    @Test
    void run_aJobThrows_failsThatBatchOnlyAndItsOtherJobsAndLaterBatchesStillRun() throws Exception {
        release.countDown();
        submit(1, -1);
        submit(2, 1);
        submit(3, -1);
        future(3000).get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(ran).isEqualTo(reference(3));
        assertThat(completed).extracting(BatchInfo::succeeded).containsExactly(true, false, true);
        assertThat(completed.get(1).failure()).get().extracting(Throwable::getMessage)
                .isEqualTo("job 1 of batch 2 failed");
        assertThat(failures).singleElement().isSameAs(completed.get(1).failure().get());
        assertThat(failedBatchTimes).as("the failure handler gets the failed batch's time").containsExactly(2000L);
    }

    @Test
    void stopOnFailure_aBatchFails_contextStopsAfterItAndAwaitTerminationReportsTheCause() throws Exception {
        ManualClock clock = new ManualClock();
        StreamingContext context = StreamingContext.builder().batchInterval(Duration.ofSeconds(1)).parallelism(2)
                .clock(clock).stopOnFailure(true).build();
        ConcurrentLinkedQueue<List<Integer>> queue = new ConcurrentLinkedQueue<>(
                List.of(List.of(1, 2), List.of(3), List.of(4), List.of(5)));
        List<List<Integer>> seen = new CopyOnWriteArrayList<>();
        context.queueStream(queue).foreachBatch((ds, time) -> {
            List<Integer> values = ds.collect();
            seen.add(values);
            if (values.contains(3)) {
                throw new IllegalArgumentException("bad record 3 in batch " + time.millis());
            }
        });
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        context.addListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchInfo info) {
                completed.add(info);
                future(info.batchTime().millis()).complete(info);
            }

            @Override
            public void onStreamingStopped() {
                stopped.complete(null);
            }
        });
        try {
            context.start();
            clock.setTime(1000);
            future(1000).get(WAIT_SECONDS, TimeUnit.SECONDS);
            clock.setTime(2000);

            assertThatThrownBy(() -> context.awaitTerminationOrTimeout(Duration.ofSeconds(WAIT_SECONDS)))
                    .isInstanceOf(SluiceException.class).hasMessageContaining("batch failed")
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("bad record 3 in batch 2000");
            stopped.get(WAIT_SECONDS, TimeUnit.SECONDS);
            clock.setTime(5000);

            assertThat(context.state()).isEqualTo(StreamingContext.State.STOPPED);
            assertThat(completed).extracting(BatchInfo::succeeded).containsExactly(true, false);
            assertThat(seen).containsExactly(List.of(1, 2), List.of(3));
            assertThat(queue).as("later batches were never generated").hasSize(2);
        } finally {
            context.stop();
        }
    }
}
