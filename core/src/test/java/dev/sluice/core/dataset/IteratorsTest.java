package dev.sluice.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class IteratorsTest {

    static Stream<Long> seeds() {
        return IntStream.rangeClosed(1, 20).mapToObj(i -> (long) i);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void toList_sizedAndPlainIterators_partlyConsumed_holdExactlyTheRest(long seed) {
        Random random = new Random(seed);
        List<Integer> values = new ArrayList<>();
        for (int i = random.nextInt(5_000); i > 0; i--) {
            values.add(random.nextInt());
        }
        int skip = random.nextInt(values.size() + 1);
        for (boolean sized : new boolean[] {true, false}) {
            Iterator<Integer> it = sized ? new Sized<>(values) : values.iterator();
            for (int i = 0; i < skip; i++) {
                it.next();
            }
            List<Integer> out = Iterators.toList(it);
            assertThat(out).as("seed %d sized %s skip %d", seed, sized, skip)
                    .containsExactlyElementsOf(values.subList(skip, values.size()));
            out.add(1); // the list stays growable past the size it was made for
            assertThat(out).as("seed %d sized %s", seed, sized).hasSize(values.size() - skip + 1);
        }
    }

    /** A list's iterator that knows how many elements it has left. */
    private static final class Sized<T> implements SizedIterator<T> {
        private final List<T> list;
        private int next;

        Sized(List<T> list) {
            this.list = list;
        }

        @Override
        public long remaining() {
            return list.size() - next;
        }

        @Override
        public boolean hasNext() {
            return next < list.size();
        }

        @Override
        public T next() {
            return list.get(next++);
        }
    }
}
