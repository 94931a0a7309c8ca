package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Engine;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.spi.InputBlock;
import dev.sluice.core.spi.InputBlocks;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.core.storage.BlockId;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.ReceiverError;
import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.Time;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver supervisor on its own threads: records stored from another thread are cut into
 * blocks at each tick, a failing {@code onStart} is restarted, a quota or a closed gate holds the
 * storing thread, and stop releases it. Every wait is on a latch, a future or a thread's state;
 * timeouts are only safety nets.
 */
@Timeout(30)
class ReceiverSupervisorIT {
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path dir;
    private Engine engine;
    private InputBlocks blocks;
    private BlockStore store;
    private final BlockingQueue<ReceiverError> errors = new LinkedBlockingQueue<>();
    private final Events receiver = new Events();
    private ReceiverSupervisor<String> supervisor;

    @BeforeEach
    void setUp() {
        engine = Engine.builder().parallelism(1).localDir(dir).build();
        blocks = EngineServices.of(engine).inputBlocks();
        store = EngineServices.of(engine).runtime().blockStore();
        supervisor = new ReceiverSupervisor<>(receiver, 7, errors::add, Duration.ofMillis(1), Duration.ofMillis(4));
    }

    @AfterEach
    void tearDown() {
        if (!supervisor.isStopped()) {
            supervisor.stop();
        }
        engine.close();
    }

    @Test
    void allocate_recordsStoredFromAReceiverThreadBeforeEachTick_areCutIntoThatBatchsBlocksInOrder() throws Exception {
        Random rnd = new Random(42);
        ReceiverTracker tracker = new ReceiverTracker(blocks, 3);
        tracker.add(7, supervisor);
        List<List<String>> batches = List.of(records(rnd, "a", 10), records(rnd, "b", 2), List.of(), records(rnd, "c", 1));
        for (int b = 0; b < batches.size(); b++) {
            List<String> batch = batches.get(b);
            CompletableFuture.runAsync(() -> batch.forEach(supervisor::store)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            tracker.allocate(new Time(1000L * (b + 1)));
        }

        for (int b = 0; b < batches.size(); b++) {
            ReceiverTracker.Allocation a = tracker.blocksOf(7, new Time(1000L * (b + 1)));
            List<String> read = new ArrayList<>();
            for (InputBlock id : a.blocks()) {
                read.addAll(blocks.<String>get(id).orElseThrow());
            }
            int n = batches.get(b).size();
            assertThat(read).as("batch %d (seed 42)", b).isEqualTo(batches.get(b));
            assertThat(a.records()).isEqualTo(n);
            assertThat(a.blocks()).as("batch %d blocks", b).hasSize(Math.min(3, n));
        }
        tracker.releaseUpTo(7, new Time(2000));
        assertThat(tracker.blocksOf(7, new Time(1000)).blocks()).isEmpty();
        assertThat(store.ids().stream().map(BlockId::name)).containsExactlyInAnyOrderElementsOf(
                tracker.blocksOf(7, new Time(4000)).blocks().stream().map(InputBlock::name).toList());
    }

    @Test
    void start_onStartThrows_reportsAndRestartsAfterCallingOnStop() throws Exception {
        receiver.failFirstStart = true;
        supervisor.start();

        assertThat(receiver.secondStart.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("started again").isTrue();
        assertThat(receiver.events).containsExactly("start", "stop", "start");
        ReceiverError error = errors.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(error).isNotNull();
        assertThat(error.message()).contains("onStart failed").contains("source unavailable");
        assertThat(error.cause()).get().isInstanceOf(IllegalStateException.class);
        assertThat(supervisor.status()).extracting(ReceiverStatus::restarts, ReceiverStatus::errors)
                .containsExactly(1L, 1L);
    }

    @Test
    void stop_afterStart_callsOnStopAndLaterRestartsDoNothing() throws Exception {
        supervisor.start();
        assertThat(receiver.firstStart.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        supervisor.stop();
        supervisor.restart("too late", null);

        assertThat(supervisor.isStopped()).isTrue();
        assertThat(receiver.events).containsExactly("start", "stop");
        assertThat(supervisor.status().restarts()).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void store_quotaOfRecordsWaiting_holdsTheStoringThreadUntilTheTickDrains() throws Exception {
        supervisor.start();
        supervisor.setBatchQuota(3);
        CountDownLatch threeStored = new CountDownLatch(3);
        Thread source = new Thread(() -> {
            for (int i = 0; i < 5; i++) {
                supervisor.store("r" + i);
                threeStored.countDown();
            }
        }, "source");
        source.start();
        assertThat(threeStored.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        assertThat(awaitWaitingOrDone(source)).as("source thread held by the quota").isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(supervisor.drain()).containsExactly("r0", "r1", "r2");
        source.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(source.isAlive()).isFalse();
        assertThat(supervisor.drain()).containsExactly("r3", "r4");
    }

    @Test
    void store_closedGate_holdsTheStoringThreadUntilOpened() throws Exception {
        ReceiverTracker tracker = new ReceiverTracker(blocks, 2);
        tracker.add(7, supervisor);
        supervisor.start();
        tracker.gate().close();
        Thread source = new Thread(() -> supervisor.store(List.of("x", "y")), "source");
        source.start();

        assertThat(awaitWaitingOrDone(source)).as("source thread held by the gate").isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(supervisor.drain()).isEmpty();
        tracker.gate().open();
        source.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(source.isAlive()).isFalse();
        assertThat(tracker.allocate(new Time(1000))).isEqualTo(2);
    }

    @Test
    void stop_whileAStoreWaitsOnAClosedGateOrAFullQuota_releasesIt() throws Exception {
        ReceiverTracker tracker = new ReceiverTracker(blocks, 2);
        tracker.add(7, supervisor);
        supervisor.start();
        supervisor.setBatchQuota(1);
        supervisor.store("first");
        Thread full = new Thread(() -> supervisor.store("second"), "quota-waiter");
        full.start();
        assertThat(awaitWaitingOrDone(full)).isEqualTo(Thread.State.TIMED_WAITING);
        tracker.gate().close();
        Thread gated = new Thread(() -> supervisor.store("third"), "gate-waiter");
        gated.start();
        assertThat(awaitWaitingOrDone(gated)).isEqualTo(Thread.State.TIMED_WAITING);

        supervisor.stop();

        full.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        gated.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(full.isAlive()).as("quota waiter released").isFalse();
        assertThat(gated.isAlive()).as("gate waiter released").isFalse();
    }

    /**
     * Waits (bounded) until {@code t} parks in a timed wait or ends; the supervisor's and the
     * gate's waits are the only timed waits a storing thread makes.
     */
    static Thread.State awaitWaitingOrDone(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        Thread.State state = t.getState();
        while (state != Thread.State.TIMED_WAITING && state != Thread.State.TERMINATED && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            state = t.getState();
        }
        return state;
    }

    private static List<String> records(Random rnd, String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + rnd.nextInt(1000));
        }
        return out;
    }

    /** Records its starts and stops; its first start may fail. */
    private static final class Events extends Receiver<String> {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CountDownLatch firstStart = new CountDownLatch(1);
        final CountDownLatch secondStart = new CountDownLatch(2);
        volatile boolean failFirstStart;

        @Override
        public void onStart() {
            events.add("start");
            firstStart.countDown();
            secondStart.countDown();
            if (failFirstStart && secondStart.getCount() == 1) {
                throw new IllegalStateException("source unavailable");
            }
        }

        @Override
        public void onStop() {
            events.add("stop");
        }
    }
}
