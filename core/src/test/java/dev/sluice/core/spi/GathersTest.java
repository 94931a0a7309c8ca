package dev.sluice.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.function.ReduceFunction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GathersTest {
    private static final int PARTITIONS = 5;

    @Test
    void toOnePartition_partialSums_givesOnePartitionWithTheTotal() {
        long seed = 20_260_801L;
        List<Integer> values = randomValues(seed);
        try (Engine engine = Engine.local(2)) {
            Dataset<Integer> partials = engine.parallelize(values, PARTITIONS).mapPartitions(GathersTest::sum);
            Dataset<Integer> gathered = Gathers.toOnePartition(partials, Integer::sum);
            assertThat(gathered.numPartitions()).isEqualTo(1);
            assertThat(gathered.collect()).as("seed %s", seed)
                    .containsExactly(values.stream().mapToInt(Integer::intValue).sum());
        }
    }

    @Test
    void toOnePartition_functionReturningNull_mergesLikeHashMapMergeAsReduceByKeyDoes() {
        long seed = 7_331L;
        // null when the sum is a multiple of 3: HashMap.merge then drops the key, and the next value starts again
        ReduceFunction<Integer> f = (a, b) -> (a + b) % 3 == 0 ? null : a + b;
        for (int run = 0; run < 20; run++) {
            List<Integer> values = randomValues(seed + run);
            try (Engine engine = Engine.local(2)) {
                Dataset<Integer> partials = engine.parallelize(values, PARTITIONS).mapPartitions(GathersTest::sum);
                List<Integer> inOrder = partials.collect();
                Map<Boolean, Integer> reference = new HashMap<>();
                for (Integer p : inOrder) {
                    reference.merge(Boolean.TRUE, p, (a, b) -> {
                        try {
                            return f.call(a, b);
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
                }
                Integer expected = reference.get(Boolean.TRUE);
                assertThat(Gathers.toOnePartition(partials, f).collect()).as("partials %s (seed %s)", inOrder,
                        seed + run).isEqualTo(expected == null ? List.of() : List.of(expected));
            }
        }
    }

    @Test
    void toOnePartition_noPartials_isEmpty() {
        try (Engine engine = Engine.local(2)) {
            Dataset<Integer> none = engine.parallelize(List.<Integer>of(), 3);
            assertThat(Gathers.toOnePartition(none, Integer::sum).collect()).isEmpty();
        }
    }

    private static List<Integer> randomValues(long seed) {
        Random random = new Random(seed);
        List<Integer> values = new ArrayList<>();
        int n = 1 + random.nextInt(60);
        for (int i = 0; i < n; i++) {
            values.add(random.nextInt(100) - 20);
        }
        return values;
    }

    private static java.util.Iterator<Integer> sum(java.util.Iterator<Integer> it) {
        if (!it.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        int s = 0;
        while (it.hasNext()) {
            s += it.next();
        }
        return List.of(s).iterator();
    }
}
