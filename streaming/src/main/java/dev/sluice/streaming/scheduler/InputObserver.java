package dev.sluice.streaming.scheduler;

import dev.sluice.streaming.Time;
import java.util.Map;

/** What the metrics hear of each batch's inputs, on the generator thread, before the batch is queued. */
@FunctionalInterface
public interface InputObserver {
    /**
     * Batch {@code time} took {@code records} records by input id; the oldest of them was stored
     * by its receiver (or its file last modified) at clock time {@code oldestRecordMillis}, -1 if
     * no input knows (list and queue inputs, or no record).
     */
    void observe(Time time, Map<Integer, Long> records, long oldestRecordMillis);
}
