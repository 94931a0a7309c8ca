package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Shuffles whose buckets and combine maps span several of the shuffle's internal chunks (more
 * than 32,768 records or 65,536 keys per map task), compared with a plain Java reference.
 */
class LargeShuffleTest {
    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension();

    private static List<Pair<Integer, Integer>> data(long seed, int size, int keys) {
        Random random = new Random(seed);
        List<Pair<Integer, Integer>> data = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            data.add(Pair.of(random.nextInt(keys), random.nextInt(100)));
        }
        return data;
    }

    @Test
    void reduceByKey_manyKeysPerMapTask_matchesReference() {
        long seed = 11;
        List<Pair<Integer, Integer>> data = data(seed, 400_000, 300_000);
        Map<Integer, Integer> expected = new HashMap<>();
        data.forEach(p -> expected.merge(p.key(), p.value(), Integer::sum));

        Map<Integer, Integer> actual = new HashMap<>();
        ENGINE.engine().parallelizePairs(data, 2).reduceByKey(Integer::sum, 2).collect()
                .forEach(p -> assertThat(actual.put(p.key(), p.value())).as("seed %s: key %s once", seed, p.key()).isNull());
        assertThat(actual).as("seed %s", seed).isEqualTo(expected);
    }

    @Test
    void groupByKey_manyRecordsPerBucket_keepsEveryValue() {
        long seed = 12;
        List<Pair<Integer, Integer>> data = data(seed, 300_000, 50);
        Map<Integer, Long> expectedCounts = new HashMap<>();
        Map<Integer, Long> expectedSums = new HashMap<>();
        data.forEach(p -> {
            expectedCounts.merge(p.key(), 1L, Long::sum);
            expectedSums.merge(p.key(), (long) p.value(), Long::sum);
        });

        Map<Integer, Long> counts = new HashMap<>();
        Map<Integer, Long> sums = new HashMap<>();
        for (Pair<Integer, List<Integer>> p : ENGINE.engine().parallelizePairs(data, 2).groupByKey(3).collect()) {
            for (int v : p.value()) {
                counts.merge(p.key(), 1L, Long::sum);
                sums.merge(p.key(), (long) v, Long::sum);
            }
        }
        assertThat(counts).as("seed %s", seed).isEqualTo(expectedCounts);
        assertThat(sums).as("seed %s", seed).isEqualTo(expectedSums);
    }
}
