package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link HashPartitioner}, and how keyed operations keep, drop and reuse a dataset's partitioner. */
class PartitionerTest {
    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension();

    private static PairDataset<String, Integer> words() {
        return ENGINE.engine().parallelizePairs(List.of(Pair.of("a", 1), Pair.of("b", 2), Pair.of("a", 3),
                Pair.of("c", 4), Pair.of("b", 5)), 3);
    }

    private static boolean hasShuffleDependency(Dataset<?> dataset) {
        return dataset.dependencies().stream().anyMatch(Dependency::isShuffle);
    }

    private static long shufflesInLineage(Dataset<?> dataset) {
        return dataset.lineage().lines().filter(l -> l.contains("(shuffle)")).count();
    }

    @Test
    void equals_sameNumPartitions_isEqualWithSameHash() {
        assertThat(new HashPartitioner(4)).isEqualTo(new HashPartitioner(4))
                .hasSameHashCodeAs(new HashPartitioner(4))
                .isNotEqualTo(new HashPartitioner(5))
                .isNotEqualTo(null);
    }

    @Test
    void partition_anyKey_isInRangeAndStable() {
        HashPartitioner partitioner = new HashPartitioner(7);

        IntStream.range(-1000, 1000).forEach(k -> assertThat(partitioner.partition(k)).as("key %d", k)
                .isBetween(0, 6).isEqualTo(new HashPartitioner(7).partition(k)));
        assertThat(partitioner.partition(null)).isZero();
        assertThat(partitioner.partition(Integer.MIN_VALUE)).isBetween(0, 6);
    }

    @Test
    void constructor_nonPositiveNumPartitions_failsNamingIt() {
        assertThatThrownBy(() -> new HashPartitioner(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numPartitions").hasMessageContaining("0");
    }

    @Test
    void reduceByKey_afterPartitionBySamePartitioner_doesNotShuffle() {
        PairDataset<String, Integer> partitioned = words().partitionBy(new HashPartitioner(4));

        PairDataset<String, Integer> sums = partitioned.reduceByKey(Integer::sum, new HashPartitioner(4));

        assertThat(hasShuffleDependency(sums)).as(sums.lineage()).isFalse();
        assertThat(shufflesInLineage(sums)).as(sums.lineage()).isEqualTo(1);
        assertThat(sums.partitioner()).contains(new HashPartitioner(4));
        assertThat(sums.collectAsMap()).isEqualTo(Map.of("a", 4, "b", 7, "c", 4));
    }

    @Test
    void reduceByKey_defaultPartitionerOfPartitionedData_doesNotShuffle() {
        PairDataset<String, Integer> sums = words().partitionBy(new HashPartitioner(2)).reduceByKey(Integer::sum);

        assertThat(shufflesInLineage(sums)).as(sums.lineage()).isEqualTo(1);
        assertThat(sums.collectAsMap()).isEqualTo(Map.of("a", 4, "b", 7, "c", 4));
    }

    @Test
    void reduceByKey_afterPartitionByOtherPartitioner_shuffles() {
        PairDataset<String, Integer> sums = words().partitionBy(new HashPartitioner(2))
                .reduceByKey(Integer::sum, new HashPartitioner(3));

        assertThat(hasShuffleDependency(sums)).as(sums.lineage()).isTrue();
        assertThat(sums.collectAsMap()).isEqualTo(Map.of("a", 4, "b", 7, "c", 4));
    }

    @Test
    void partitionBy_samePartitionerTwice_returnsSameDataset() {
        PairDataset<String, Integer> partitioned = words().partitionBy(new HashPartitioner(4));

        assertThat(partitioned.partitionBy(new HashPartitioner(4))).isSameAs(partitioned);
    }

    @Test
    void mapValues_onPartitionedData_keepsPartitioner() {
        PairDataset<String, Integer> partitioned = words().partitionBy(new HashPartitioner(4));

        assertThat(partitioned.mapValues(v -> v * 2).partitioner()).contains(new HashPartitioner(4));
        assertThat(partitioned.flatMapValues(v -> List.of(v, v)).partitioner()).contains(new HashPartitioner(4));
        assertThat(partitioned.filter(kv -> kv.value() > 1).partitioner()).contains(new HashPartitioner(4));
    }

    @Test
    void map_onPartitionedData_dropsPartitioner() {
        PairDataset<String, Integer> partitioned = words().partitionBy(new HashPartitioner(4));

        assertThat(partitioned.map(kv -> kv).partitioner()).isEmpty();
        assertThat(partitioned.mapToPair(kv -> Pair.of(kv.value(), kv.key())).partitioner()).isEmpty();
        assertThat(words().partitioner()).isEmpty();
    }

    @Test
    void join_coPartitionedSides_readsBothNarrowly() {
        HashPartitioner partitioner = new HashPartitioner(3);
        PairDataset<String, Integer> left = words().partitionBy(partitioner);
        PairDataset<String, String> right = ENGINE.engine()
                .parallelizePairs(List.of(Pair.of("a", "x"), Pair.of("c", "y")), 2).partitionBy(partitioner);

        PairDataset<String, Pair<Integer, String>> joined = left.join(right);

        assertThat(left.cogroup(right).dependencies()).noneMatch(Dependency::isShuffle);
        assertThat(shufflesInLineage(joined)).as(joined.lineage()).isEqualTo(2);
        assertThat(joined.collect()).containsExactlyInAnyOrder(Pair.of("a", Pair.of(1, "x")),
                Pair.of("a", Pair.of(3, "x")), Pair.of("c", Pair.of(4, "y")));
    }

    /** Places keys by their length, so that the map side must read the keys (not their stored hashes). */
    private static final class LengthPartitioner extends Partitioner {
        @Override
        public int numPartitions() {
            return 3;
        }

        @Override
        public int partition(Object key) {
            return key == null ? 2 : ((String) key).length() % 3;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LengthPartitioner;
        }

        @Override
        public int hashCode() {
            return 3;
        }
    }

    /**
     * The map side of a combining shuffle places each key of its combined table from the hash the
     * table stored (HashPartitioner) or from the key (any other partitioner): either way every key
     * must be in the partition its partitioner names, with the sum a HashMap gives.
     */
    @Test
    void reduceByKey_placesEveryKeyInItsPartitionersPartition_withHashMapSums() {
        long seed = 20261201L;
        Random random = new Random(seed);
        List<Pair<String, Integer>> pairs = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            int k = random.nextInt(5_000);
            // null keys, and "Aa"/"BB"-style keys whose hashCodes collide
            String key = k == 0 ? null : k % 97 == 0 ? (k % 2 == 0 ? "Aa" : "BB") + k : "k" + k;
            pairs.add(Pair.of(key, random.nextInt(10)));
        }
        Map<String, Integer> expected = new HashMap<>();
        for (Pair<String, Integer> p : pairs) {
            expected.merge(p.key(), p.value(), Integer::sum);
        }
        for (Partitioner partitioner : List.of(new HashPartitioner(3), new HashPartitioner(4), new LengthPartitioner())) {
            List<List<Pair<String, Integer>>> parts = ENGINE.engine().parallelizePairs(pairs, 5)
                    .reduceByKey(Integer::sum, partitioner).glom().collect();
            assertThat(parts).as("seed %s, %s", seed, partitioner).hasSize(partitioner.numPartitions());
            Map<String, Integer> actual = new HashMap<>();
            for (int p = 0; p < parts.size(); p++) {
                for (Pair<String, Integer> kv : parts.get(p)) {
                    assertThat(partitioner.partition(kv.key())).as("seed %s, %s, key %s", seed, partitioner, kv.key())
                            .isEqualTo(p);
                    assertThat(actual.put(kv.key(), kv.value())).as("seed %s, key %s twice", seed, kv.key()).isNull();
                }
            }
            assertThat(actual).as("seed %s, %s", seed, partitioner).isEqualTo(expected);
        }
    }
}
