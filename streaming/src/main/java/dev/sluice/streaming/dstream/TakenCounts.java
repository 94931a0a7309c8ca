package dev.sluice.streaming.dstream;

import dev.sluice.streaming.Time;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many records an input that makes its datasets itself (a queue, the test kit's lists) took
 * in per batch: written when it builds a batch's dataset (generator thread), read by the
 * generator for the batch's statistics, dropped when the batch is forgotten (job thread).
 */
final class TakenCounts {
    private final Map<Time, Long> counts = new ConcurrentHashMap<>();

    /** Records that the dataset of {@code time} holds {@code n} records. */
    void took(Time time, long n) {
        counts.put(time, n);
    }

    /** Returns the count of {@code time}, 0 if no dataset was built for it. */
    long at(Time time) {
        return counts.getOrDefault(time, 0L);
    }

    /** Forgets the count of {@code time}. */
    void forget(Time time) {
        counts.remove(time);
    }
}
