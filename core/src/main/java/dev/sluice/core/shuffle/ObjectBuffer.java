package dev.sluice.core.shuffle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A growable run of {@code Object[]} chunks for building one flat bucket without boxing into a
 * list.
 *
 * <p>Why chunks: a bucket of a shuffle without map-side combine holds every record of its map
 * task (two references each), and one growing array would be copied at every doubling and, from
 * half a G1 region on, be humongous: allocated in the old generation, slow to fill (every store
 * of a young record takes the slow path of the post-write barrier) and, in JDK 17, not reclaimed
 * by young collections. A chunk grows by doubling up to {@value #MAX_CHUNK} references (256 KB)
 * and then a new chunk starts; full chunks are never copied again.
 */
final class ObjectBuffer {
    /** The largest chunk, in references; even, so that a record never straddles two chunks. */
    static final int MAX_CHUNK = 1 << 16;

    private final List<Object[]> full = new ArrayList<>(2);
    private Object[] items;
    private int size;

    ObjectBuffer(int capacity) {
        items = new Object[Math.min(MAX_CHUNK, Math.max(8, capacity))];
    }

    void add(Object a, Object b) {
        if (size + 2 > items.length) {
            if (items.length < MAX_CHUNK) {
                items = Arrays.copyOf(items, Math.min(MAX_CHUNK, items.length * 2));
            } else {
                full.add(items);
                items = new Object[MAX_CHUNK];
                size = 0;
            }
        }
        items[size++] = a;
        items[size++] = b;
    }

    /** Returns the chunks in order, each exactly full (one empty chunk if nothing was added). */
    Object[][] toChunks() {
        Object[] last = size == items.length ? items : Arrays.copyOf(items, size);
        if (full.isEmpty()) {
            return new Object[][] {last};
        }
        List<Object[]> all = new ArrayList<>(full);
        if (size > 0) {
            all.add(last);
        }
        return all.toArray(new Object[0][]);
    }
}
