package dev.sluice.streaming.statestore;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The wait of background work that lets running batches go first (the state checkpoint writer,
 * background {@code StateMap} merges): it parks in short steps while a condition holds, bounded.
 *
 * <p>Threading: stateless.
 */
public final class YieldToBatches {
    private static final long POLL_NANOS = 500_000;

    private YieldToBatches() {
    }

    /** Parks while {@code wanted} is true, at most {@code maxNanos}; returns the nanoseconds waited. */
    public static long waitWhile(BooleanSupplier wanted, long maxNanos) {
        long start = System.nanoTime();
        long deadline = start + maxNanos;
        while (wanted.getAsBoolean() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
        }
        return System.nanoTime() - start;
    }
}
