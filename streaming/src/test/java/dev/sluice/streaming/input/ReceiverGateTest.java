package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReceiverGateTest {
    private final ReceiverGate gate = new ReceiverGate();

    @Test
    void awaitOpen_openGate_returnsAtOnce() throws Exception {
        CompletableFuture.runAsync(() -> gate.awaitOpen(() -> false)).get(10, TimeUnit.SECONDS);

        gate.close();
        gate.open();
        CompletableFuture.runAsync(() -> gate.awaitOpen(() -> false)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void awaitOpen_closedGate_waitsUntilOpened() throws Exception {
        gate.close();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            waiting.countDown();
            gate.awaitOpen(() -> false);
        }, "waiter");
        waiter.start();
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(ReceiverSupervisorIT.awaitWaitingOrDone(waiter)).isEqualTo(Thread.State.TIMED_WAITING);
        gate.open();
        waiter.join(10_000);

        assertThat(waiter.isAlive()).as("released by open()").isFalse();
    }

    @Test
    void awaitOpen_closedGateAndReceiverStopping_returnsWithoutOpening() throws Exception {
        gate.close();
        AtomicBoolean stopped = new AtomicBoolean();
        Thread waiter = new Thread(() -> gate.awaitOpen(stopped::get), "waiter");
        waiter.start();
        assertThat(ReceiverSupervisorIT.awaitWaitingOrDone(waiter)).isEqualTo(Thread.State.TIMED_WAITING);

        stopped.set(true);
        waiter.join(10_000);

        assertThat(waiter.isAlive()).as("released by the stop flag, gate still closed").isFalse();
    }
}
