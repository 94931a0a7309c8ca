package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowedWordCountTest {

    @Test
    void windowedCounts_wordsLeaveTheWindow_countsTheLast30SecondsEvery5(@TempDir Path dir) {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .checkpointDir(dir.toUri().toString()).build()) {
            List<List<String>> lines = new ArrayList<>();
            lines.add(List.of("a b a", " c "));
            for (int i = 0; i < 9; i++) {
                lines.add(List.of("b"));
            }
            BatchOutput<Pair<String, Long>> out = kit.collect(WindowedWordCount.windowedCounts(kit.input(lines)));
            kit.run(40);
            assertThat(out.times()).hasSize(8);
            assertThat(out.batch(0)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 5L), Pair.of("c", 1L));
            assertThat(out.batch(5)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 10L), Pair.of("c", 1L));
            assertThat(out.batch(6)).containsExactly(Pair.of("b", 5L)); // batches 1 to 5 left
            assertThat(out.batch(7)).isEmpty();
        }
    }

    @Test
    void topWords_moreWordsThanN_keepsTheHighestCountsInOrder() {
        List<Pair<String, Long>> counts = List.of(Pair.of("x", 1L), Pair.of("y", 5L), Pair.of("z", 3L),
                Pair.of("w", 5L));
        assertThat(TopWords.of(counts.iterator(), 3))
                .containsExactly(Pair.of("w", 5L), Pair.of("y", 5L), Pair.of("z", 3L));
    }
}
