package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkState;

import dev.sluice.streaming.input.ReceiverSupervisor;
import java.io.Serializable;
import java.util.List;

/**
 * A source of records pushed to the engine: a socket reader, a message-queue consumer, a
 * generator. Create one with {@link StreamingContext#receiverStream(Receiver)}.
 *
 * <p>The engine calls {@link #onStart()} on a thread of the receiver's own (never a worker
 * thread) when the context starts; it should start receiving (on its own threads, or on that
 * one until {@link #isStopped()}) and call {@link #store} for each record. Every record stored
 * before a batch time belongs to that batch. When the source fails, call {@link #restart}: the
 * engine calls {@link #onStop()} and, after a back-off delay that doubles up to a maximum,
 * {@link #onStart()} again, and tells the listeners.
 *
 * <pre>{@code
 * class Counter extends Receiver<Long> {
 *     public void onStart() {
 *         new Thread(() -> { for (long i = 0; !isStopped(); i++) store(i); }).start();
 *     }
 *     public void onStop() { }
 * }
 * }</pre>
 *
 * @param <T> the record type
 */
public abstract class Receiver<T> implements Serializable {
    private transient volatile ReceiverSupervisor<T> supervisor;

    /** Starts receiving; called by the engine on the receiver's thread. */
    public abstract void onStart();

    /** Stops receiving and releases what {@link #onStart} acquired; called by the engine. */
    public abstract void onStop();

    /** Returns the name used in logs and {@link ReceiverStatus}; the class name by default. */
    public String name() {
        return getClass().getSimpleName();
    }

    /**
     * Hands one record to the engine, for the next batch.
     *
     * @throws IllegalStateException if the engine stopped this receiver: the record was not stored
     */
    public final void store(T record) {
        supervisor().store(record);
    }

    /**
     * Hands records to the engine, for the next batch; all or none are stored.
     *
     * @throws IllegalStateException if the engine stopped this receiver: no record was stored
     */
    public final void store(List<T> records) {
        supervisor().store(records);
    }

    /** Counts a record dropped as malformed or oversized, shown in {@link ReceiverStatus#recordsDropped()}. */
    public final void reportDropped(String reason) {
        supervisor().recordDropped(reason);
    }

    /** Reports an error to the listeners; the receiver keeps running. */
    public final void reportError(String message, Throwable cause) {
        supervisor().reportError(message, cause);
    }

    /** Asks the engine to stop and restart this receiver after a back-off delay. */
    public final void restart(String message) {
        supervisor().restart(message, null);
    }

    /** Asks the engine to stop and restart this receiver after a back-off delay, reporting {@code cause}. */
    public final void restart(String message, Throwable cause) {
        supervisor().restart(message, cause);
    }

    /** Returns true once the engine is stopping this receiver (or has not started it). */
    public final boolean isStopped() {
        ReceiverSupervisor<T> s = supervisor;
        return s == null || s.isStopped();
    }

    private ReceiverSupervisor<T> supervisor() {
        ReceiverSupervisor<T> s = supervisor;
        checkState(s != null, "receiver %s is not attached to a context; pass it to StreamingContext.receiverStream "
                + "and call store() only after onStart()", name());
        return s;
    }

    void attach(ReceiverSupervisor<T> newSupervisor) {
        checkState(supervisor == null, "receiver %s is already used by a stream; create a new receiver per stream",
                name());
        this.supervisor = newSupervisor;
    }
}
