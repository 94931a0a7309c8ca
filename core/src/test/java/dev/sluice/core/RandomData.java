package dev.sluice.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/** Random inputs for property tests; the same seed always gives the same data. */
final class RandomData {
    private RandomData() {
    }

    /** The seeds every {@link PropertyTest} runs with. */
    static LongStream seeds() {
        return LongStream.range(0, 50);
    }

    /** Returns a partition count in {@code [1, 8]}. */
    static int partitions(Random random) {
        return 1 + random.nextInt(8);
    }

    /** Returns up to 300 small integers (so that there are duplicates), possibly none. */
    static List<Integer> ints(Random random) {
        int size = random.nextInt(10) == 0 ? 0 : random.nextInt(300);
        List<Integer> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(random.nextInt(101) - 50);
        }
        return out;
    }

    /** Returns up to 300 pairs whose keys come from a small random range, so keys repeat. */
    static List<Pair<Integer, Integer>> pairs(Random random) {
        int keys = 1 + random.nextInt(30);
        int size = random.nextInt(10) == 0 ? 0 : random.nextInt(300);
        List<Pair<Integer, Integer>> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(Pair.of(random.nextInt(keys), random.nextInt(201) - 100));
        }
        return out;
    }

    /** Returns {@code data} cut as {@link Engine#parallelize} cuts it: contiguous slices. */
    static <T> List<List<T>> slices(List<T> data, int numPartitions) {
        List<List<T>> out = new ArrayList<>(numPartitions);
        for (int p = 0; p < numPartitions; p++) {
            int from = (int) ((long) p * data.size() / numPartitions);
            int to = (int) ((long) (p + 1) * data.size() / numPartitions);
            out.add(data.subList(from, to));
        }
        return out;
    }
}
