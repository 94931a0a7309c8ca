package dev.sluice.core;

import java.io.Serializable;

/**
 * A read-only value shipped once and read by every task, such as a lookup table: create it with
 * {@link Engine#broadcast(Object)} and capture the {@code Broadcast} (not the value) in your
 * functions.
 *
 * <pre>{@code
 * Broadcast<Map<String, String>> countries = engine.broadcast(Map.of("fr", "France", "de", "Germany"));
 * Dataset<String> names = codes.map(code -> countries.value().getOrDefault(code, "?"));
 * }</pre>
 *
 * <p>The engine serializes the value once, with Kryo, when it is broadcast, and keeps those bytes.
 * {@link #value()} returns a copy made from them on first use and then shared by every task (so
 * the value is a snapshot: changing the original object later changes nothing, and tasks must not
 * change the copy). A function that captures a {@code Broadcast} captures only its handle: the
 * handle's serialized form is its id, so shipping a function never ships the value with it (a
 * cluster backend will ship the bytes to each member once, not per task).
 *
 * <p><b>In a stream: a value refreshed every N batches.</b> Broadcasts are immutable; to refresh
 * one, broadcast a new value from {@code transform}, which runs once per batch on the driver
 * while the batch is built, and capture the current one in the batch's function. Every task of
 * that batch and of the following ones reads the new value. Destroy the old broadcast only once
 * no batch still reads it: batches complete in order, so when the first batch that uses the new
 * one completes (a {@code StreamingListener.onBatchCompleted}), the old one can go; calling
 * {@link #unpersist()} early is always safe.
 *
 * <pre>{@code
 * AtomicReference<Broadcast<Map<String, Integer>>> rates = new AtomicReference<>();
 * DStream<Integer> priced = orders.transform((batch, time) -> {
 *     if (rates.get() == null || time.millis() % (3 * interval) == 0) {   // every 3 batches
 *         rates.set(engine.broadcast(loadRates()));
 *     }
 *     Broadcast<Map<String, Integer>> current = rates.get();
 *     return batch.map(order -> current.value().get(order.currency()) * order.amount());
 * });
 * }</pre>
 *
 * <p>Thread-safety: every method may be called from any thread.
 *
 * @param <T> the type of the value
 */
public interface Broadcast<T> extends Serializable {

    /** Returns the id of this broadcast, unique within the JVM; it names the broadcast in errors and logs. */
    long id();

    /**
     * Returns the value: the copy made from the broadcast bytes on first use, the same object for
     * every later call and every task (until {@link #unpersist()}).
     *
     * @throws IllegalStateException if the broadcast was destroyed, or its engine closed
     */
    T value();

    /**
     * Drops the cached copy of the value; the bytes stay, so the next {@link #value()} makes a new
     * copy. Safe at any time, also while tasks read it.
     */
    void unpersist();

    /**
     * Drops the value and its bytes for good; {@link #value()} then throws. Destroy a broadcast only
     * when no running or queued job still reads it. Calling it again does nothing.
     */
    void destroy();

    /** Returns true once {@link #destroy()} was called or the engine that made it closed. */
    boolean isDestroyed();
}
