package dev.sluice.streaming.testing;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.SluiceException;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.StreamingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A receiver-backed input of a {@link StreamingTestKit}: {@link #send} stores records through the
 * real receiver path (the receiver's {@code store}: blocks, and the write-ahead log when the kit
 * has a checkpoint directory) and returns once they are stored, so they land in the next batch
 * the kit runs. Records sent before the kit's first {@code run} are stored when the receiver
 * starts, before that run's first batch.
 *
 * <p>Threading: {@code send} may be called from any thread.
 *
 * @param <T> the record type
 */
public final class ReceiverInput<T> {
    private final KitReceiver<T> receiver;
    private final DStream<T> stream;
    private final Duration timeout;

    ReceiverInput(StreamingContext context, Duration timeout) {
        this.receiver = new KitReceiver<>();
        this.stream = context.receiverStream(receiver);
        this.timeout = timeout;
    }

    /** Returns the receiver-backed stream of what is sent. */
    public DStream<T> stream() {
        return stream;
    }

    /**
     * Stores {@code records} through the receiver; returns once they are stored (durable, with
     * the write-ahead log). Before the kit started, keeps them for the receiver to store when it
     * starts.
     *
     * @throws IllegalStateException if the kit stopped (its receiver refuses records)
     */
    public void send(List<T> records) {
        checkNotNull(records, "records");
        List<T> copy = new ArrayList<>(records);
        synchronized (receiver) {
            if (!receiver.started) {
                receiver.early.addAll(copy);
                return;
            }
        }
        if (!copy.isEmpty()) {
            receiver.store(copy);
        }
    }

    /** Waits until the receiver started and stored what was sent before (the kit calls it at start). */
    void awaitStarted() {
        try {
            if (!receiver.startedLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SluiceException("the test kit's receiver input did not start within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("interrupted waiting for the test kit's receiver input to start", e);
        }
    }

    /** Stores what the test sends; started by the context on its own thread. */
    private static final class KitReceiver<T> extends Receiver<T> {
        private final transient CountDownLatch startedLatch = new CountDownLatch(1);
        private final transient List<T> early = new ArrayList<>();
        private boolean started;

        @Override
        public String name() {
            return "test-kit receiver input";
        }

        @Override
        public void onStart() {
            List<T> pending;
            synchronized (this) {
                pending = new ArrayList<>(early);
                early.clear();
                started = true;
            }
            // Stored before the latch opens, so the kit's first batch cannot be cut before them.
            if (!pending.isEmpty()) {
                store(pending);
            }
            startedLatch.countDown();
        }

        @Override
        public void onStop() {
        }
    }
}
