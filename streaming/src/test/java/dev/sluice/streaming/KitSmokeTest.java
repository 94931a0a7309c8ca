package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KitSmokeTest {
    @Test
    void wordCount_threeBatches_countsPerBatch() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<String> in = kit.input(List.of(List.of("a b", "b"), List.of("c")));
            BatchOutput<Pair<String, Integer>> out = kit.collect(in.flatMap(l -> List.of(l.split(" ")))
                    .mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum));
            BatchOutput<Long> counts = kit.collect(in.count());
            kit.run(3);
            assertThat(out.batches()).hasSize(3);
            assertThat(out.batch(0)).containsExactlyInAnyOrder(Pair.of("a", 1), Pair.of("b", 2));
            assertThat(out.batch(1)).containsExactly(Pair.of("c", 1));
            assertThat(out.batch(2)).isEmpty();
            assertThat(counts.batches()).containsExactly(List.of(2L), List.of(1L), List.of(0L));
            assertThat(out.times()).containsExactly(new Time(1000), new Time(2000), new Time(3000));
        }
    }
}
