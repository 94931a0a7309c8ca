package dev.sluice.streaming.testing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.Clock;
import java.time.Duration;

/**
 * A clock that moves only when told to: batch times come from {@link #advance}, never from the
 * wall clock. Starts at 0 unless given another time.
 *
 * <p>Thread-safe: waiting threads wake when the time is advanced.
 */
public final class ManualClock implements Clock {
    private long millis;

    /** Creates a clock at time 0. */
    public ManualClock() {
        this(0);
    }

    /** Creates a clock at {@code startMillis}. */
    public ManualClock(long startMillis) {
        checkArgument(startMillis >= 0, "startMillis must be >= 0, got %s", startMillis);
        this.millis = startMillis;
    }

    @Override
    public synchronized long millis() {
        return millis;
    }

    /** Moves the clock forward by {@code d}, waking whoever waits for the new time. */
    public synchronized void advance(Duration d) {
        checkNotNull(d, "d");
        checkArgument(!d.isNegative(), "cannot move a clock backwards: %s", d);
        millis += d.toMillis();
        notifyAll();
    }

    /**
     * Sets the time, which must not go backwards.
     *
     * @throws IllegalArgumentException if {@code newMillis} is before the current time
     */
    public synchronized void setTime(long newMillis) {
        checkArgument(newMillis >= millis, "cannot move a clock backwards from %s to %s", millis, newMillis);
        millis = newMillis;
        notifyAll();
    }

    @Override
    public synchronized void waitUntil(long targetMillis) throws InterruptedException {
        while (millis < targetMillis) {
            wait();
        }
    }
}
