package dev.sluice.core.shuffle;

import java.util.Arrays;

/** A growable {@code Object[]} for building one flat bucket without boxing into a list. */
final class ObjectBuffer {
    private Object[] items;
    private int size;

    ObjectBuffer(int capacity) {
        items = new Object[Math.max(8, capacity)];
    }

    void add(Object a, Object b) {
        if (size + 2 > items.length) {
            items = Arrays.copyOf(items, items.length * 2);
        }
        items[size++] = a;
        items[size++] = b;
    }

    Object[] toArray() {
        return size == items.length ? items : Arrays.copyOf(items, size);
    }
}
