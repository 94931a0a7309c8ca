package dev.sluice.streaming.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window over a state stream reads many remembered state datasets, across several default
 * (10 s) checkpoints: none of them may be evicted or have its checkpoint deleted while the window
 * still reads it.
 */
class WindowOverStateTest {
    private static final int BATCHES = 45;
    private static final int WINDOW_BATCHES = 20;

    @TempDir
    Path checkpoints;

    @Test
    void windowOverUpdateStateByKey_manyCheckpoints_everyWindowMatchesTheReference() {
        List<List<Pair<String, Integer>>> input = new ArrayList<>();
        List<Map<String, Integer>> states = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>();
        for (int b = 0; b < BATCHES; b++) {
            List<Pair<String, Integer>> batch = List.of(Pair.of("k" + b % 3, 1), Pair.of("k" + b % 5, 2));
            batch.forEach(p -> state.merge(p.key(), p.value(), Integer::sum));
            input.add(batch);
            states.add(Map.copyOf(state));
        }
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .checkpointDir(checkpoints.toUri().toString()).build()) {
            BatchOutput<Pair<String, Integer>> windows = kit.collect(kit.pairInput(input)
                    .updateStateByKey((List<Integer> values, Optional<Integer> s) ->
                            Optional.of(s.orElse(0) + values.stream().mapToInt(Integer::intValue).sum()))
                    .window(Duration.ofSeconds(WINDOW_BATCHES)));
            kit.run(BATCHES);

            for (int b = 0; b < BATCHES; b++) {
                List<Pair<String, Integer>> expected = new ArrayList<>();
                for (int w = Math.max(0, b - WINDOW_BATCHES + 1); w <= b; w++) {
                    states.get(w).forEach((k, v) -> expected.add(Pair.of(k, v)));
                }
                assertThat(windows.batch(b)).as("window ending at batch %d", b + 1)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }
}
