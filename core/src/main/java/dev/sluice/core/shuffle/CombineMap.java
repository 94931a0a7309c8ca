package dev.sluice.core.shuffle;

import dev.sluice.core.Pair;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The hash map the aggregator combines into: open addressing with linear probing, keys and
 * values side by side in one array, so that finding a key and updating its value is one probe
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
 * <p>Not thread-safe; one task owns each map.
 */
final class CombineMap<K, C> {
    private static final int PHI = 0x9E3779B9;
    private static final int MIN_CAPACITY = 16;

    /** Key of slot {@code s} at {@code 2s}, its value at {@code 2s + 1}; a null key marks a free slot. */
    private Object[] table;
    private int[] hashes;
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
        table = new Object[2 * capacity];
        hashes = new int[capacity];
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
        int h = key.hashCode();
        int i = (h * PHI) >>> shift;
        Object[] t = table;
        int[] hs = hashes;
        while (true) {
            Object k = t[2 * i];
            if (k == null) {
                return -(i + 1);
            }
            if (hs[i] == h && (k == key || key.equals(k))) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /** Puts {@code key} (absent) with {@code value} into the free slot {@code find} returned. */
    void insert(int findResult, Object key, Object value) {
        int slot = -findResult - 1;
        size++;
        if (slot == capacity()) {
            hasNullKey = true;
            nullKeyValue = value;
            return;
        }
        table[2 * slot] = key;
        table[2 * slot + 1] = value;
        hashes[slot] = key.hashCode();
        if (size > growAt) {
            grow();
        }
    }

    /** Returns the key of occupied slot {@code slot}. */
    @SuppressWarnings("unchecked")
    K key(int slot) {
        return slot == capacity() ? null : (K) table[2 * slot];
    }

    /** Returns the value of occupied slot {@code slot}. */
    @SuppressWarnings("unchecked")
    C value(int slot) {
        return (C) (slot == capacity() ? nullKeyValue : table[2 * slot + 1]);
    }

    /** Sets the value of occupied slot {@code slot}. */
    void setValue(int slot, Object value) {
        if (slot == capacity()) {
            nullKeyValue = value;
        } else {
            table[2 * slot + 1] = value;
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
            Object k = table[2 * j];
            if (k == null) {
                break;
            }
            int home = (hashes[j] * PHI) >>> shift;
            // The key at j may fill the hole if its home is not cyclically in (free, j].
            if (((j - home) & mask) >= ((j - free) & mask)) {
                table[2 * free] = k;
                table[2 * free + 1] = table[2 * j + 1];
                hashes[free] = hashes[j];
                free = j;
            }
        }
        table[2 * free] = null;
        table[2 * free + 1] = null;
    }

    private void grow() {
        Object[] oldTable = table;
        int[] oldHashes = hashes;
        allocate(capacity() * 2);
        for (int s = 0; s < oldHashes.length; s++) {
            Object k = oldTable[2 * s];
            if (k != null) {
                int h = oldHashes[s];
                int i = (h * PHI) >>> shift;
                while (table[2 * i] != null) {
                    i = (i + 1) & mask;
                }
                table[2 * i] = k;
                table[2 * i + 1] = oldTable[2 * s + 1];
                hashes[i] = h;
            }
        }
    }

    /** Returns the first occupied slot at or after {@code from}, or -1; the null key's slot is last. */
    int nextSlot(int from) {
        for (int s = from; s < capacity(); s++) {
            if (table[2 * s] != null) {
                return s;
            }
        }
        return hasNullKey && from <= capacity() ? capacity() : -1;
    }

    /** Returns the entries as pairs; the map must not change while the iterator is used. */
    Iterator<Pair<K, C>> pairs() {
        return new Iterator<>() {
            private int next = nextSlot(0);

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
                return p;
            }
        };
    }
}
