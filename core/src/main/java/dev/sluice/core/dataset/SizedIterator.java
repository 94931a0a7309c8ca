package dev.sluice.core.dataset;

import java.util.Iterator;

/**
 * An iterator that knows how many elements it has left, so that counting them needs no walk
 * (for the engine's per-batch {@code count()} of a reduced stream: the reduce side's combine table
 * knows its size, and walking it would make a pair per key only to drop it).
 *
 * @param <T> the element type
 */
public interface SizedIterator<T> extends Iterator<T> {
    /** Returns the number of elements {@link #next} will still return. */
    long remaining();

    /**
     * Returns how many elements {@code it} has left, walking it only if it is no {@link
     * SizedIterator}; do not use {@code it} afterwards.
     */
    static long countRemaining(Iterator<?> it) {
        if (it instanceof SizedIterator<?> sized) {
            return sized.remaining();
        }
        long n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        return n;
    }
}
