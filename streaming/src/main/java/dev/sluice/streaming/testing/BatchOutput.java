package dev.sluice.streaming.testing;

import dev.sluice.streaming.Time;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What a stream produced, batch by batch: one entry per time at which the stream produced a
 * dataset (every batch for ordinary streams, every slide for windowed ones), empty datasets
 * included, each entry's elements in partition order.
 *
 * <p>Thread-safe: filled by the engine's job thread, read by the test.
 */
public final class BatchOutput<T> {
    private final Map<Time, List<T>> byTime = new ConcurrentSkipListMap<>();

    void add(Time time, List<T> elements) {
        byTime.put(time, List.copyOf(elements));
    }

    /** Returns every batch's elements, in batch order. */
    public List<List<T>> batches() {
        return List.copyOf(byTime.values());
    }

    /**
     * Returns the elements of entry {@code i} (0-based, in batch order).
     *
     * @throws IndexOutOfBoundsException if fewer entries were produced
     */
    public List<T> batch(int i) {
        List<List<T>> all = batches();
        if (i < 0 || i >= all.size()) {
            throw new IndexOutOfBoundsException("batch " + i + " requested, but the stream produced " + all.size()
                    + " so far; run more batches with kit.run(n)");
        }
        return all.get(i);
    }

    /** Returns the batch times of the entries, in order. */
    public List<Time> times() {
        return List.copyOf(byTime.keySet());
    }

    /** Returns the elements of every batch, concatenated in batch order. */
    public List<T> all() {
        List<T> out = new ArrayList<>();
        byTime.values().forEach(out::addAll);
        return out;
    }

    /** Returns the number of entries. */
    public int size() {
        return byTime.size();
    }

    @Override
    public String toString() {
        return byTime.toString();
    }
}
