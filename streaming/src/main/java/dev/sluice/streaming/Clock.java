package dev.sluice.streaming;

/**
 * Where batch times come from: the system clock in production, a
 * {@link dev.sluice.streaming.testing.ManualClock} in tests.
 */
public interface Clock {

    /** Returns the current time in milliseconds. */
    long millis();

    /**
     * Blocks until the time is at least {@code targetMillis}.
     *
     * @throws InterruptedException if the waiting thread is interrupted
     */
    void waitUntil(long targetMillis) throws InterruptedException;

    /** Returns the system clock. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
