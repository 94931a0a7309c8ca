package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
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
}
