package dev.sluice.streaming.metrics;

import dev.sluice.core.Pair;
import java.util.Collection;
import java.util.Map;

/**
 * Rough heap sizes of sampled keys and states, for the state-size gauge: 64-bit JVM with
 * compressed pointers (12-byte headers, 8-byte alignment). Exact for strings of Latin-1
 * characters and boxed numbers; other objects count a flat guess. Good enough to see a state
 * grow by orders of magnitude, which is what the figure is for; not an accounting of the heap.
 */
final class ApproxSizes {
    /** Per entry of a state map or list: the slot, the entry object, the time. */
    private static final long ENTRY_OVERHEAD = 32;
    private static final long UNKNOWN_OBJECT = 32;
    private static final int MAX_DEPTH = 3;
    private static final int COLLECTION_SAMPLE = 8;

    private ApproxSizes() {
    }

    /** Returns the estimated bytes of one state entry with {@code key} and {@code state}. */
    static long entry(Object key, Object state) {
        return ENTRY_OVERHEAD + of(key) + of(state);
    }

    /** Returns the estimated bytes of {@code o} and what it references (a few levels deep). */
    static long of(Object o) {
        return of(o, 0);
    }

    private static long of(Object o, int depth) {
        if (o == null) {
            return 0;
        }
        if (o instanceof String s) {
            return align(16 + 4) + align(16 + s.length()); // String + its byte[] (Latin-1)
        }
        if (o instanceof Long || o instanceof Double) {
            return 16 + 8;
        }
        if (o instanceof Number || o instanceof Boolean || o instanceof Character) {
            return 16;
        }
        if (depth >= MAX_DEPTH) {
            return UNKNOWN_OBJECT;
        }
        if (o instanceof Pair<?, ?> p) {
            return 24 + of(p.key(), depth + 1) + of(p.value(), depth + 1);
        }
        if (o instanceof Collection<?> c) {
            return 40 + sampledElements(c, depth);
        }
        if (o instanceof Map<?, ?> m) {
            return 48 + 32L * m.size() + sampledElements(m.keySet(), depth) + sampledElements(m.values(), depth);
        }
        if (o instanceof long[] a) {
            return align(16 + 8L * a.length);
        }
        if (o instanceof int[] a) {
            return align(16 + 4L * a.length);
        }
        if (o instanceof byte[] a) {
            return align(16 + a.length);
        }
        return UNKNOWN_OBJECT;
    }

    /** 8 bytes a slot plus the mean size of the first few elements, times the size. */
    private static long sampledElements(Collection<?> c, int depth) {
        int n = c.size();
        if (n == 0) {
            return 0;
        }
        long sum = 0;
        int seen = 0;
        for (Object e : c) {
            if (seen == COLLECTION_SAMPLE) {
                break;
            }
            sum += of(e, depth + 1);
            seen++;
        }
        return 8L * n + sum / seen * n;
    }

    private static long align(long bytes) {
        return (bytes + 7) / 8 * 8;
    }
}
