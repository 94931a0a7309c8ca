package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;

/**
 * A batch time: milliseconds since the epoch (or since 0 under a manual clock). Batch times are
 * multiples of the batch interval.
 *
 * @param millis the time in milliseconds, never negative
 */
public record Time(long millis) implements Comparable<Time> {

    /** Checks that the time is not negative. */
    public Time {
        checkArgument(millis >= 0, "time must be >= 0 ms, got %s", millis);
    }

    /** Returns the time {@code millis} milliseconds after the epoch. */
    public static Time ofMillis(long millis) {
        return new Time(millis);
    }

    /** Returns this time plus {@code d}. */
    public Time plus(Duration d) {
        checkNotNull(d, "duration");
        return new Time(millis + d.toMillis());
    }

    /** Returns this time minus {@code d}. */
    public Time minus(Duration d) {
        checkNotNull(d, "duration");
        return new Time(millis - d.toMillis());
    }

    /** Returns the duration from {@code earlier} to this time. */
    public Duration since(Time earlier) {
        return Duration.ofMillis(millis - earlier.millis);
    }

    /** Returns true if this time is strictly before {@code other}. */
    public boolean isBefore(Time other) {
        return millis < other.millis;
    }

    /** Returns true if this time is strictly after {@code other}. */
    public boolean isAfter(Time other) {
        return millis > other.millis;
    }

    /** Returns true if this time is a whole number of {@code d} after {@code zero}. */
    public boolean isMultipleOf(Duration d, Time zero) {
        long step = d.toMillis();
        return step > 0 && (millis - zero.millis) % step == 0;
    }

    @Override
    public int compareTo(Time other) {
        return Long.compare(millis, other.millis);
    }

    @Override
    public String toString() {
        return millis + " ms";
    }
}
