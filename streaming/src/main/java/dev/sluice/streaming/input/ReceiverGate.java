package dev.sluice.streaming.input;

import java.util.function.BooleanSupplier;

/**
 * Lets receivers store records, or makes them wait: closed by backpressure while a batch waits
 * in the queue behind a running one, so that no more data piles up than the engine can take next.
 *
 * <p>Threading: opened and closed by the job scheduler; waited on by receivers' threads.
 */
public final class ReceiverGate {
    private static final long RECHECK_MILLIS = 100;
    private boolean open = true;

    /** Lets receivers store again. */
    public synchronized void open() {
        open = true;
        notifyAll();
    }

    /** Makes receivers wait in {@code store} until {@link #open()}. */
    public synchronized void close() {
        open = false;
    }

    /**
     * Waits until the gate is open or {@code stopped} says the receiver is stopping (checked every
     * 100 ms, so a stop never waits on a closed gate for long). Returns the nanoseconds it waited
     * (0 without reading the clock when the gate is open, so an open gate costs nothing per record).
     */
    public synchronized long awaitOpen(BooleanSupplier stopped) {
        if (open) {
            return 0;
        }
        long start = System.nanoTime();
        while (!open && !stopped.getAsBoolean()) {
            try {
                wait(RECHECK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return System.nanoTime() - start;
    }
}
