package dev.sluice.streaming.scheduler;

import dev.sluice.streaming.Time;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Counts the input records of each batch as the input streams build its datasets, in total and,
 * when an observer is set (the metrics), per input stream.
 */
public final class InputInfo {
    private final Map<Time, Long> records = new ConcurrentHashMap<>();
    private final Map<Time, Map<Integer, Long>> byStream = new ConcurrentHashMap<>();
    private volatile BiConsumer<Time, Map<Integer, Long>> observer;

    /** Adds {@code n} input records of input stream {@code streamId} to batch {@code time}. */
    public void report(int streamId, Time time, long n) {
        records.merge(time, n, Long::sum);
        if (observer != null) {
            byStream.computeIfAbsent(time, t -> new ConcurrentHashMap<>()).merge(streamId, n, Long::sum);
        }
    }

    /** Hands each batch's per-stream counts to {@code perBatch} when the batch is submitted. */
    public void observe(BiConsumer<Time, Map<Integer, Long>> perBatch) {
        this.observer = perBatch;
    }

    /**
     * Returns and forgets the count of batch {@code time}, and forgets older counts: an input
     * dataset built late (a window reaching back) reports into a batch already submitted.
     */
    long take(Time time) {
        Long n = records.remove(time);
        records.keySet().removeIf(t -> t.isBefore(time));
        BiConsumer<Time, Map<Integer, Long>> o = observer;
        if (o != null) {
            Map<Integer, Long> perStream = byStream.remove(time);
            byStream.keySet().removeIf(t -> t.isBefore(time));
            o.accept(time, perStream == null ? Map.of() : perStream);
        }
        return n == null ? 0 : n;
    }
}
