package dev.sluice.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.HashPartitioner;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZippedPartitionsDatasetTest {

    @Test
    void zip_coPartitionedParents_readsPartitionsSideBySideWithoutShuffle() {
        try (Engine engine = Engine.local(2)) {
            HashPartitioner p = new HashPartitioner(3);
            PairDataset<Integer, Integer> a = engine.parallelizePairs(List.of(Pair.of(1, 1), Pair.of(2, 2)), 2)
                    .reduceByKey(Integer::sum, p);
            PairDataset<Integer, Integer> b = engine.parallelizePairs(List.of(Pair.of(1, 10), Pair.of(3, 30)), 2)
                    .reduceByKey(Integer::sum, p);
            Dataset<Pair<Integer, Integer>> zipped = ZippedPartitionsDataset.<Pair<Integer, Integer>,
                    Pair<Integer, Integer>>of(engine, List.of(a, b), parts -> {
                        List<Pair<Integer, Integer>> out = new ArrayList<>();
                        for (Iterator<Pair<Integer, Integer>> it : parts) {
                            it.forEachRemaining(out::add);
                        }
                        return out.iterator();
                    }, p, "zip");
            assertThat(zipped.dependencies()).hasSize(2).noneMatch(d -> d.isShuffle());
            assertThat(zipped.partitioner()).contains(p);
            assertThat(zipped.glom().collect()).allSatisfy(part -> assertThat(part.stream()
                    .map(kv -> p.partition(kv.key())).distinct()).hasSizeLessThanOrEqualTo(1));
            assertThat(zipped.collect()).containsExactlyInAnyOrder(Pair.of(1, 1), Pair.of(1, 10), Pair.of(2, 2),
                    Pair.of(3, 30));
        }
    }

    @Test
    void zip_differentPartitionCounts_throwsNamingBoth() {
        try (Engine engine = Engine.local(2)) {
            Dataset<Integer> two = engine.parallelize(List.of(1, 2), 2);
            Dataset<Integer> three = engine.parallelize(List.of(1, 2, 3), 3);
            assertThatThrownBy(() -> ZippedPartitionsDataset.<Integer, Integer>of(engine, List.of(two, three),
                    parts -> parts.get(0), null, "zip"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(2 partitions)").hasMessageContaining("(3 partitions)");
        }
    }
}
