package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A dataset and its pair view are two handles on one node: one id, one persistence, no extra lineage step. */
class DatasetHandleTest {
    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension();

    private static List<Pair<Integer, Integer>> randomPairs(long seed, int n) {
        Random random = new Random(seed);
        List<Pair<Integer, Integer>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Pair.of(random.nextInt(20), random.nextInt(100)));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void pairView_ofDataset_isTheSameDatasetWithTheSameLineage(long seed) {
        Dataset<Pair<Integer, Integer>> plain = ENGINE.engine().parallelize(randomPairs(seed, 300), 3)
                .map(kv -> Pair.of(kv.key(), kv.value() + 1));
        PairDataset<Integer, Integer> pairs = PairDataset.of(plain);

        assertThat(pairs).as("seed %s", seed).isEqualTo(plain).hasSameHashCodeAs(plain);
        assertThat(pairs.id()).isEqualTo(plain.id());
        assertThat(pairs.lineage()).isEqualTo(plain.lineage());
        assertThat(pairs.dependencies()).hasSameSizeAs(plain.dependencies());
        assertThat(pairs.dependencies().get(0).parent()).isEqualTo(plain.dependencies().get(0).parent());
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22})
    void persist_throughPairView_isSeenByThePlainHandle(long seed) {
        List<Pair<Integer, Integer>> data = randomPairs(seed, 400);
        Dataset<Pair<Integer, Integer>> plain = ENGINE.engine().parallelize(data, 4);
        PairDataset<Integer, Integer> pairs = PairDataset.of(plain).cache().setName("cached pairs");

        Map<Integer, Integer> sums = new TreeMap<>(pairs.reduceByKey(Integer::sum).collectAsMap());

        assertThat(plain.storageLevel()).isEqualTo(StorageLevel.MEMORY);
        assertThat(plain.name()).isEqualTo("cached pairs");
        assertThat(plain.isFullyCached()).as("seed %s", seed).isTrue();
        assertThat(sums).as("seed %s", seed).isEqualTo(data.stream().collect(
                Collectors.groupingBy(Pair::key, TreeMap::new, Collectors.summingInt(Pair::value))));
        plain.unpersist();
        assertThat(pairs.isFullyCached()).isFalse();
        assertThat(pairs.storageLevel()).isEqualTo(StorageLevel.NONE);
    }
}
