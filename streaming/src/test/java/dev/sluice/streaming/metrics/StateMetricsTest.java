package dev.sluice.streaming.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.testing.StreamingTestKit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class StateMetricsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {3, 17, 2026})
    void stateGauges_ofBothStateOperators_countTheDistinctKeysSeen(long seed) {
        Random random = new Random(seed);
        int batches = 12;
        List<List<Pair<String, Integer>>> input = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        for (int b = 0; b < batches; b++) {
            List<Pair<String, Integer>> batch = new ArrayList<>();
            for (int i = random.nextInt(40); i > 0; i--) {
                String word = "w" + random.nextInt(300);
                batch.add(Pair.of(word, 1));
                distinct.add(word);
            }
            input.add(batch);
        }
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StreamingTestKit kit = StreamingTestKit.builder().meterRegistry(registry)
                .checkpointDir(dir.toUri().toString()).build()) {
            PairDStream<String, Integer> words = kit.pairInput(input);
            kit.collect(words.updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                    Optional.of(s.orElse(0) + vs.size())));
            kit.collect(words.mapWithState(StateSpec.<String, Integer, Integer, Integer>function(
                    (String key, Optional<Integer> value, dev.sluice.streaming.State<Integer> state) -> {
                        int n = state.getOption().orElse(0) + value.orElse(0);
                        state.update(n);
                        return n;
                    })));
            kit.run(batches);

            assertThat(registry.get("sluice.state.keys").tag("operator", "updateStateByKey").gauge().value())
                    .as("updateStateByKey keys, seed %s", seed).isEqualTo(distinct.size());
            assertThat(registry.get("sluice.state.keys").tag("operator", "mapWithState").gauge().value())
                    .as("mapWithState keys, seed %s", seed).isEqualTo(distinct.size());
            double bytes = registry.get("sluice.state.bytes").tag("operator", "mapWithState").gauge().value();
            assertThat(bytes).as("approx bytes: at least the strings, at most a few hundred bytes a key, seed %s", seed)
                    .isBetween(40.0 * distinct.size(), 400.0 * distinct.size());
        }
    }
}
