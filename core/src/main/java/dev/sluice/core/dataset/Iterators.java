package dev.sluice.core.dataset;

import dev.sluice.core.Pair;
import dev.sluice.core.failure.UserCodeException;
import dev.sluice.core.function.FilterFunction;
import dev.sluice.core.function.FlatMapFunction;
import dev.sluice.core.function.MapFunction;
import dev.sluice.core.function.MapMultiFunction;
import dev.sluice.core.function.PairFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * The fused narrow operators: each wraps its parent's iterator, so a chain of map, filter and
 * flatMap runs as one pass per partition with no collection in between.
 *
 * <p>Why not Guava's {@code Iterators.transform}: user functions throw checked exceptions, and
 * these loops are the hottest code in the engine, so they are written out by hand.
 */
public final class Iterators {
    private Iterators() {
    }

    /** Applies {@code f} to each element. */
    public static <T, R> Iterator<R> map(Iterator<T> in, MapFunction<? super T, ? extends R> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public R next() {
                T t = in.next();
                try {
                    return f.call(t);
                } catch (Exception e) {
                    throw UserCodeException.onRecord(e, t);
                }
            }
        };
    }

    /**
     * Applies the pair function {@code f} to each element. Not {@link #map} with a wrapping
     * lambda: {@code f} is called from a site of its own, which only pair functions reach, so a
     * pipeline whose shuffle is fed by one {@code mapToPair} function has a monomorphic call
     * there, C2 inlines it into the shuffle write and its escape analysis can remove the
     * {@code Pair} the function returns (the shuffle takes its key and value apart at once).
     * See docs/design/g1-allocation-3.md.
     */
    public static <T, K, V> Iterator<Pair<K, V>> mapToPair(Iterator<T> in,
                                                            PairFunction<? super T, ? extends K, ? extends V> f) {
        return new MapToPairIterator<>(in, f);
    }

    private static final class MapToPairIterator<T, K, V> implements Iterator<Pair<K, V>> {
        private final Iterator<T> in;
        private final PairFunction<? super T, ? extends K, ? extends V> f;

        MapToPairIterator(Iterator<T> in, PairFunction<? super T, ? extends K, ? extends V> f) {
            this.in = in;
            this.f = f;
        }

        @Override
        public boolean hasNext() {
            return in.hasNext();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Pair<K, V> next() {
            T t = in.next();
            try {
                return (Pair<K, V>) f.call(t);
            } catch (Exception e) {
                throw UserCodeException.onRecord(e, t);
            }
        }
    }

    /** Keeps the elements for which {@code f} returns true. */
    public static <T> Iterator<T> filter(Iterator<T> in, FilterFunction<? super T> f) {
        return new Iterator<>() {
            private T nextValue;
            private boolean ready;

            @Override
            public boolean hasNext() {
                while (!ready && in.hasNext()) {
                    T candidate = in.next();
                    try {
                        if (f.call(candidate)) {
                            nextValue = candidate;
                            ready = true;
                        }
                    } catch (Exception e) {
                        throw UserCodeException.onRecord(e, candidate);
                    }
                }
                return ready;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                T value = nextValue;
                nextValue = null;
                return value;
            }
        };
    }

    /** Replaces each element by the elements of the iterable {@code f} returns for it. */
    public static <T, R> Iterator<R> flatMap(Iterator<T> in, FlatMapFunction<? super T, ? extends R> f) {
        return new Iterator<>() {
            private Iterator<? extends R> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (!in.hasNext()) {
                        return false;
                    }
                    T t = in.next();
                    try {
                        Iterable<? extends R> out = f.call(t);
                        current = out == null ? Collections.emptyIterator() : out.iterator();
                    } catch (Exception e) {
                        throw UserCodeException.onRecord(e, t);
                    }
                }
                return true;
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /**
     * Replaces each element by what {@code f} emits for it. One buffer is reused for the whole
     * partition, so nothing is allocated per element beyond what the function itself emits.
     */
    public static <T, R> Iterator<R> mapMulti(Iterator<T> in, MapMultiFunction<? super T, ? extends R> f) {
        return new MapMultiIterator<>(in, f);
    }

    /**
     * The buffer is a bare array: {@code ArrayList.clear()} nulls every slot each element, and the
     * sink is made once. Stale references past {@code size} are overwritten by the next element's
     * output and dropped when the partition ends.
     */
    private static final class MapMultiIterator<T, R> implements Iterator<R>, Consumer<R> {
        private final Iterator<T> in;
        private final MapMultiFunction<? super T, ? extends R> f;
        private Object[] buffer = new Object[16];
        private int size;
        private int position;

        MapMultiIterator(Iterator<T> in, MapMultiFunction<? super T, ? extends R> f) {
            this.in = in;
            this.f = f;
        }

        @Override
        public void accept(R r) {
            if (size == buffer.length) {
                buffer = Arrays.copyOf(buffer, size * 2);
            }
            buffer[size++] = r;
        }

        @Override
        public boolean hasNext() {
            while (position >= size) {
                if (!in.hasNext()) {
                    Arrays.fill(buffer, 0, size, null);
                    size = 0;
                    position = 0;
                    return false;
                }
                size = 0;
                position = 0;
                T t = in.next();
                try {
                    f.call(t, this);
                } catch (Exception e) {
                    throw UserCodeException.onRecord(e, t);
                }
            }
            return true;
        }

        @Override
        @SuppressWarnings("unchecked")
        public R next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return (R) buffer[position++];
        }
    }

    /**
     * Drains {@code in} into a new list, sized at once when {@code in} knows how many elements it
     * has ({@link SizedIterator}: a cached reduced partition, whose list would otherwise be grown by
     * copying about 20 times on the way to tens of thousands of pairs).
     */
    public static <T> List<T> toList(Iterator<? extends T> in) {
        List<T> out = in instanceof SizedIterator<?> sized && sized.remaining() < Integer.MAX_VALUE - 8
                ? new ArrayList<>((int) sized.remaining()) : new ArrayList<>();
        while (in.hasNext()) {
            out.add(in.next());
        }
        return out;
    }
}
