package dev.sluice.streaming.scheduler;

import dev.sluice.streaming.Time;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counts the input records of each batch as the input streams build its datasets. */
public final class InputInfo {
    private final Map<Time, Long> records = new ConcurrentHashMap<>();

    /** Adds {@code n} input records to batch {@code time}. */
    public void report(Time time, long n) {
        records.merge(time, n, Long::sum);
    }

    /**
     * Returns and forgets the count of batch {@code time}, and forgets older counts: an input
     * dataset built late (a window reaching back) reports into a batch already submitted.
     */
    long take(Time time) {
        Long n = records.remove(time);
        records.keySet().removeIf(t -> t.isBefore(time));
        return n == null ? 0 : n;
    }
}
