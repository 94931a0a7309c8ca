package dev.sluice.streaming.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.core.shuffle.ShuffleRegistry;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointCleanupTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    /** The latest batch's shuffles (its reduction, its window merge's inputs) at most. */
    private static final int MAX_SHUFFLES = 3;

    @TempDir
    Path checkpoints;

    @Test
    void longRun_frequentCheckpoints_keepsCheckpointDirectoriesAndShufflesBounded() throws IOException {
        int batches = 60;
        List<List<Pair<String, Integer>>> input = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            input.add(List.of(Pair.of("k" + (b % 5), 1), Pair.of("k" + (b % 3), 2)));
        }
        List<Integer> directoriesSeen = new ArrayList<>();
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(SECOND)
                .checkpointDir(checkpoints.toUri().toString()).build()) {
            BatchOutput<Pair<String, Integer>> out = kit.collect(kit.pairInput(input)
                    .reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, SECOND.multipliedBy(4), SECOND)
                    .checkpoint(SECOND.multipliedBy(2)));
            for (int b = 0; b < batches; b++) {
                kit.run(1);
                directoriesSeen.add(countDirectories());
            }
            // The last window still holds the right sums: checkpoints deleted were no longer needed.
            Map<String, Integer> expected = new HashMap<>();
            for (List<Pair<String, Integer>> batch : input.subList(batches - 4, batches)) {
                batch.forEach(p -> expected.merge(p.key(), p.value(), Integer::sum));
            }
            Map<String, Integer> last = new HashMap<>();
            out.batch(batches - 1).stream().filter(p -> p.value() != 0).forEach(p -> last.put(p.key(), p.value()));
            assertThat(last).isEqualTo(expected);
            // Window results before the last checkpoint, and their batches' shuffles, are unreachable.
            // Cached reduced batches need no shuffle output: only the latest batch's can be held.
            ShuffleRegistry shuffles = EngineServices.of(kit.context().engine()).runtime().shuffleRegistry();
            assertThat(shuffles.size()).as("shuffles holding outputs after %s batches", batches)
                    .isLessThanOrEqualTo(MAX_SHUFFLES);
        }
        assertThat(directoriesSeen.subList(20, batches)).as("checkpoint directories per batch: %s", directoriesSeen)
                .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(6));
    }

    /** Counts the dataset checkpoint directories, which sit in the engine's run directory. */
    private int countDirectories() throws IOException {
        try (Stream<Path> runs = Files.list(checkpoints)) {
            int n = 0;
            for (Path run : runs.filter(Files::isDirectory).toList()) {
                try (Stream<Path> datasets = Files.list(run)) {
                    n += (int) datasets.filter(Files::isDirectory).count();
                }
            }
            return n;
        }
    }
}
