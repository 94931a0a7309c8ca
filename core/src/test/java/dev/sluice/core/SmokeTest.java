package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void wordCount_twoStages_matchesReference() {
        try (Engine engine = Engine.local(2)) {
            Dataset<String> lines = engine.parallelize(List.of("a b", "b c", "c c"), 2);
            Map<String, Integer> counts = lines.flatMap(l -> List.of(l.split(" ")))
                    .mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum).collectAsMap();
            assertThat(counts).isEqualTo(Map.of("a", 1, "b", 2, "c", 3));
            PairDataset<String, Integer> other = engine.parallelizePairs(List.of(Pair.of("a", 10), Pair.of("c", 30)), 3);
            assertThat(lines.flatMap(l -> List.of(l.split(" "))).mapToPair(w -> Pair.of(w, 1))
                    .reduceByKey(Integer::sum).join(other).collectAsMap())
                    .isEqualTo(Map.of("a", Pair.of(1, 10), "c", Pair.of(3, 30)));
            assertThat(lines.count()).isEqualTo(3);
            assertThat(engine.parallelize(List.of(5, 3, 9, 1), 2).mapToPair(i -> Pair.of(i, i)).sortByKey(true).keys().collect())
                    .containsExactly(1, 3, 5, 9);
        }
    }
}
