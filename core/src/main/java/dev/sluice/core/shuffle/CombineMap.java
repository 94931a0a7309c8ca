package dev.sluice.core.shuffle;

import dev.sluice.core.Pair;
import dev.sluice.core.dataset.SizedIterator;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The hash map the aggregator combines into: open addressing with linear probing, keys, values
 * and hashes in parallel arrays, so that finding a key and updating its value is one probe
 * sequence (a {@code HashMap} get-then-put is two) and nothing is allocated per key.
 *
 * <p>Slots: {@link #find} returns a key's slot, or {@code -(slot + 1)} of the free slot where it
 * would go, to hand to {@link #insert}. The {@code null} key lives in an extra slot at index
 * {@code capacity}; {@code null} values are stored like any other.
 *
 * <p>Why not the keys' own low hash bits: a reducer's keys all share the hash bits that the
 * {@code HashPartitioner} picked them by, so the slot comes from the high bits of the hash times
 * the golden ratio instead.
 *
 * <p>Why chunks (of {@link ChunkSize#bits} slots: 64K or 128K references under G1, unchunked
 * under ParallelGC and SerialGC): under G1 an array of at least half a heap region (1 MB
 * with a 4 GB heap, 512 KB with the smallest regions) is humongous. It is allocated straight in
 * the old generation, every store of a young key into it takes the slow path of the post-write
 * barrier, and in JDK 17 a humongous {@code Object[]} is not reclaimed by a young collection, so
 * the keys and values of a finished task's table were kept alive and copied by every young pause
 * until the next marking cycle. A chunk is below half a region, a young object like any other,
 * whatever the table's capacity.
 *
 * <p>Why a flat fast path: while the table is one chunk (always under ParallelGC; under G1 with
 * 2 MB regions up to 128K slots, i.e. 64K keys, most per-task maps), {@link #find} and the
 * value accessors index {@code flatKeys}, {@code flatValues}, {@code flatHashes} directly; only
 * a map that grows beyond one chunk pays for the indirection through the chunk array.
 *
 * <p>Not thread-safe; one task owns each map.
 */
final class CombineMap<K, C> {
    private static final int PHI = 0x9E3779B9;
    private static final int MIN_CAPACITY = 16;
    private static final int CHUNK_BITS = ChunkSize.bits();
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int CHUNK_MASK = CHUNK - 1;

    /** Key of slot {@code s} at {@code keys[s >>> CHUNK_BITS][s & CHUNK_MASK]}; null marks a free slot. */
    private Object[][] keys;
    private Object[][] values;
    private int[][] hashes;
    /** The only chunk of {@code keys} (and of values, hashes) while the table fits one chunk; else null. */
    private Object[] flatKeys;
    private Object[] flatValues;
    private int[] flatHashes;
    private int mask;
    private int shift;
    private int size;
    private int growAt;
    private boolean hasNullKey;
    private Object nullKeyValue;

    /** Creates a map that holds {@code expected} keys without growing. */
    CombineMap(int expected) {
        int capacity = MIN_CAPACITY;
        while (capacity < expected * 2L && capacity < (1 << 29)) {
            capacity <<= 1;
        }
        allocate(capacity);
    }

    private void allocate(int capacity) {
        int chunks = Math.max(1, capacity >>> CHUNK_BITS);
        int chunkLength = Math.min(capacity, CHUNK);
        keys = new Object[chunks][chunkLength];
        values = new Object[chunks][chunkLength];
        hashes = new int[chunks][chunkLength];
        flatKeys = chunks == 1 ? keys[0] : null;
        flatValues = chunks == 1 ? values[0] : null;
        flatHashes = chunks == 1 ? hashes[0] : null;
        mask = capacity - 1;
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
        growAt = capacity / 2;
    }

    private int capacity() {
        return mask + 1;
    }

    /** Returns the number of keys. */
    int size() {
        return size;
    }

    /** Returns the slot of {@code key}, or {@code -(slot + 1)} of the free slot it would take. */
    int find(Object key) {
        if (key == null) {
            return hasNullKey ? capacity() : -(capacity() + 1);
        }
        return find(key, key.hashCode());
    }

    /** {@link #find(Object)} of a non-null key whose {@code hashCode()} is {@code h}. */
    int find(Object key, int h) {
        int i = (h * PHI) >>> shift;
        Object[] fk = flatKeys;
        if (fk != null) {
            int[] fh = flatHashes;
            int m = mask;
            while (true) {
                Object k = fk[i];
                if (k == null) {
                    return -(i + 1);
                }
                if (fh[i] == h && (k == key || key.equals(k))) {
                    return i;
                }
                i = (i + 1) & m;
            }
        }
        Object[][] ks = keys;
        int[][] hs = hashes;
        while (true) {
            Object k = ks[i >>> CHUNK_BITS][i & CHUNK_MASK];
            if (k == null) {
                return -(i + 1);
            }
            if (hs[i >>> CHUNK_BITS][i & CHUNK_MASK] == h && (k == key || key.equals(k))) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /** Puts {@code key} (absent) with {@code value} into the free slot {@code find} returned. */
    void insert(int findResult, Object key, Object value) {
        insert(findResult, key, value, key == null ? 0 : key.hashCode());
    }

    /** {@link #insert(int, Object, Object)} of a key whose {@code hashCode()} is {@code hash}. */
    void insert(int findResult, Object key, Object value, int hash) {
        int slot = -findResult - 1;
        size++;
        if (slot == capacity()) {
            hasNullKey = true;
            nullKeyValue = value;
            return;
        }
        put(slot, key, value, hash);
        if (size > growAt) {
            grow();
        }
    }

    /**
     * Puts a non-null {@code key} that is not in the map, whose {@code hashCode()} is {@code hash},
     * with {@code value}: the key object is not read (no probe compares keys).
     */
    void insertAbsent(Object key, Object value, int hash) {
        int i = (hash * PHI) >>> shift;
        Object[] fk = flatKeys;
        if (fk != null) {
            while (fk[i] != null) {
                i = (i + 1) & mask;
            }
        } else {
            while (keys[i >>> CHUNK_BITS][i & CHUNK_MASK] != null) {
                i = (i + 1) & mask;
            }
        }
        size++;
        put(i, key, value, hash);
        if (size > growAt) {
            grow();
        }
    }

    private void put(int slot, Object key, Object value, int hash) {
        if (flatKeys != null) {
            flatKeys[slot] = key;
            flatValues[slot] = value;
            flatHashes[slot] = hash;
            return;
        }
        int c = slot >>> CHUNK_BITS;
        int o = slot & CHUNK_MASK;
        keys[c][o] = key;
        values[c][o] = value;
        hashes[c][o] = hash;
    }

    /** Returns the key of occupied slot {@code slot}. */
    @SuppressWarnings("unchecked")
    K key(int slot) {
        return slot == capacity() ? null : (K) keys[slot >>> CHUNK_BITS][slot & CHUNK_MASK];
    }

    /** Returns the value of occupied slot {@code slot}. */
    @SuppressWarnings("unchecked")
    C value(int slot) {
        if (slot == capacity()) {
            return (C) nullKeyValue;
        }
        Object[] fv = flatValues;
        return (C) (fv != null ? fv[slot] : values[slot >>> CHUNK_BITS][slot & CHUNK_MASK]);
    }

    /** Sets the value of occupied slot {@code slot}. */
    void setValue(int slot, Object value) {
        if (slot == capacity()) {
            nullKeyValue = value;
        } else if (flatValues != null) {
            flatValues[slot] = value;
        } else {
            values[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = value;
        }
    }

    /** Removes the key of occupied slot {@code slot}, shifting later keys of its run back. */
    void remove(int slot) {
        size--;
        if (slot == capacity()) {
            hasNullKey = false;
            nullKeyValue = null;
            return;
        }
        int free = slot;
        int j = slot;
        while (true) {
            j = (j + 1) & mask;
            Object k = key(j);
            if (k == null) {
                break;
            }
            int h = hashes[j >>> CHUNK_BITS][j & CHUNK_MASK];
            int home = (h * PHI) >>> shift;
            // The key at j may fill the hole if its home is not cyclically in (free, j].
            if (((j - home) & mask) >= ((j - free) & mask)) {
                put(free, k, value(j), h);
                free = j;
            }
        }
        put(free, null, null, 0);
    }

    private void grow() {
        Object[][] oldKeys = keys;
        Object[][] oldValues = values;
        int[][] oldHashes = hashes;
        allocate(capacity() * 2);
        for (int c = 0; c < oldKeys.length; c++) {
            Object[] ks = oldKeys[c];
            Object[] vs = oldValues[c];
            int[] hs = oldHashes[c];
            for (int o = 0; o < ks.length; o++) {
                Object k = ks[o];
                if (k != null) {
                    int h = hs[o];
                    int i = (h * PHI) >>> shift;
                    while (keys[i >>> CHUNK_BITS][i & CHUNK_MASK] != null) {
                        i = (i + 1) & mask;
                    }
                    put(i, k, vs[o], h);
                }
            }
        }
    }

    /** Returns the first occupied slot at or after {@code from}, or -1; the null key's slot is last. */
    int nextSlot(int from) {
        int capacity = capacity();
        Object[] fk = flatKeys;
        if (fk != null) {
            for (int s = from; s < capacity; s++) {
                if (fk[s] != null) {
                    return s;
                }
            }
        } else {
            for (int s = from; s < capacity; s++) {
                if (keys[s >>> CHUNK_BITS][s & CHUNK_MASK] != null) {
                    return s;
                }
            }
        }
        return hasNullKey && from <= capacity ? capacity : -1;
    }

    /** Returns true if {@code slot} is the null key's slot. */
    boolean isNullKeySlot(int slot) {
        return slot == capacity();
    }

    /**
     * Returns the {@code hashCode()} of the key of occupied slot {@code slot}, stored when the key
     * went in (0 for the null key's slot), so that placing a key needs no read of the key object.
     */
    int hash(int slot) {
        return slot == capacity() ? 0 : hashes[slot >>> CHUNK_BITS][slot & CHUNK_MASK];
    }

    /**
     * Returns the entries as pairs, by an iterator that knows how many are left ({@link
     * SizedIterator}); the map must not change while the iterator is used.
     */
    Iterator<Pair<K, C>> pairs() {
        return new SizedIterator<>() {
            private int next = nextSlot(0);
            private int returned;

            @Override
            public long remaining() {
                return size - returned;
            }

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public Pair<K, C> next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                Pair<K, C> p = new Pair<>(key(next), value(next));
                next = nextSlot(next + 1);
                returned++;
                return p;
            }
        };
    }
}
