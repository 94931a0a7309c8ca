package dev.sluice.streaming.state;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * An append-only list in chunks of at most {@value #CHUNK} references: the first chunk doubles
 * up to that length, later ones are allocated full size and never copied. A mapWithState
 * partition's outputs go here (one per record: 500,000 at 100,000 lines a batch), because an
 * {@code ArrayList} of them grows by copying and, past 256K elements, its array is a humongous
 * object under G1 (at least half a 2 MB region), allocated in the old generation and kept until
 * a marking cycle together with every output it references.
 *
 * <p>Public with a no-argument constructor so that Kryo can rebuild it from a checkpoint (it
 * creates the list and adds the elements). Not thread-safe; a task fills it, readers only read.
 */
public final class ChunkedList<E> extends AbstractList<E> implements RandomAccess {
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int CHUNK_MASK = CHUNK - 1;
    private static final int FIRST_LENGTH = 16;

    private Object[][] chunks = new Object[1][];
    private int size;

    /** Creates an empty list. */
    public ChunkedList() {
        chunks[0] = new Object[FIRST_LENGTH];
    }

    @Override
    public boolean add(E element) {
        int c = size >>> CHUNK_BITS;
        int o = size & CHUNK_MASK;
        if (c == 0) {
            Object[] first = chunks[0];
            if (o == first.length && first.length < CHUNK) {
                chunks[0] = first = Arrays.copyOf(first, first.length * 2);
            }
        } else if (o == 0) {
            if (c == chunks.length) {
                chunks = Arrays.copyOf(chunks, c * 2);
            }
            chunks[c] = new Object[CHUNK];
        }
        chunks[c][o] = element;
        size++;
        modCount++;
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " out of bounds for length " + size);
        }
        return (E) chunks[index >>> CHUNK_BITS][index & CHUNK_MASK];
    }

    @Override
    public int size() {
        return size;
    }
}
