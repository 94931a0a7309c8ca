package dev.sluice.peers.spark;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.receiver.Receiver;

/**
 * A receiver the bench stores into from its own thread, like Sluice's bench {@code Feed}.
 *
 * <p>Spark serializes the receiver and starts a copy on an executor. In local mode that executor
 * is this JVM, so the started copy announces itself through a static slot that the bench thread
 * waits on and then calls {@code store} on. Spark allows {@code store} from any thread.
 */
final class FeedReceiver extends Receiver<String> {
    private static final long serialVersionUID = 1L;
    private static final AtomicReference<Started> STARTED = new AtomicReference<>(new Started());

    /** The latch of one context's receiver start and the copy that started. */
    private static final class Started {
        final CountDownLatch latch = new CountDownLatch(1);
        volatile FeedReceiver receiver;
    }

    FeedReceiver(StorageLevel level) {
        super(level);
    }

    /** Forgets a previous context's receiver; call before starting a new context. */
    static void reset() {
        STARTED.set(new Started());
    }

    /** Waits for the started copy of the receiver (the one Spark runs). */
    static FeedReceiver awaitStarted(long seconds) throws InterruptedException {
        Started started = STARTED.get();
        if (!started.latch.await(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the Spark receiver did not start within " + seconds + " s");
        }
        return started.receiver;
    }

    @Override
    public void onStart() {
        Started started = STARTED.get();
        started.receiver = this;
        started.latch.countDown();
    }

    @Override
    public void onStop() {
    }
}
