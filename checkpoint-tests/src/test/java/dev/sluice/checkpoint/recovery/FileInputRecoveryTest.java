package dev.sluice.checkpoint.recovery;

import static dev.sluice.checkpoint.recovery.Restarts.INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file stream's batches are recovered by the files each read: a kit crashes from inside a
 * batch's function after the batch's file arrived; the resumed kit re-reads that file (and the
 * files of completed batches its state recomputes), never a file already counted, and its
 * running counts equal plain Java's over all files.
 */
class FileInputRecoveryTest {
    private static final int BATCHES = 12;

    @TempDir
    Path tempDir;

    private BatchOutput<Pair<String, Integer>> pipeline(StreamingTestKit kit, Path in, long crashAt) {
        DStream<String> words = kit.context().fileStream(in.toUri().toString(), path -> true, false).uid("files");
        words.foreachBatch((ds, t) -> {
            if (t.millis() == crashAt) {
                ds.mapPartitions(records -> {
                    kit.crash();
                    return records;
                }).count();
            }
        });
        PairDStream<String, Integer> counts = PairDStream.of(words.mapToPair(w -> Pair.of(w, 1)))
                .updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                        Optional.of(s.orElse(0) + vs.stream().mapToInt(Integer::intValue).sum()))
                .uid("counts");
        counts.checkpoint(Duration.ofSeconds(3));
        return kit.collect(counts);
    }

    /** Moves the words of batch {@code b} into {@code in} as one file (written elsewhere, then renamed). */
    private void arrive(Path in, List<List<String>> input, int b) throws IOException {
        Path staged = tempDir.resolve("staging-" + b + ".txt");
        Files.write(staged, input.get(b));
        // Dated at the manual clock's start, so the file is complete (an interval old) by the batch that lists it.
        staged.toFile().setLastModified(0);
        Files.move(staged, in.resolve(String.format("words-%03d.txt", b)), StandardCopyOption.ATOMIC_MOVE);
    }

    @ParameterizedTest(name = "crash in batch {0}, seed {1}")
    @CsvSource({"2, 5", "5, 6", "11, 7"})
    void crashInsideABatch_resumedKitRereadsItsFile_andCountsEachFileOnce(int crashBatch, long seed) throws IOException {
        List<List<String>> input = Restarts.words(seed, BATCHES, 10);
        Path in = Files.createDirectories(tempDir.resolve("in"));
        Path dir = tempDir.resolve("ckpt");
        long crashAt = crashBatch * INTERVAL.toMillis();
        TreeMap<Long, List<String>> merged = new TreeMap<>();

        StreamingTestKit first = Restarts.kit(dir);
        BatchOutput<Pair<String, Integer>> out1 = pipeline(first, in, crashAt);
        for (int b = 0; b < crashBatch && !first.isCrashed(); b++) {
            arrive(in, input, b);
            first.run(1);
        }
        assertThat(first.isCrashed()).as("crashed in batch %s", crashAt).isTrue();
        first.close();
        merged.putAll(Restarts.byTime(out1));

        try (StreamingTestKit second = Restarts.kit(dir)) {
            BatchOutput<Pair<String, Integer>> out2 = pipeline(second, in, -1);
            second.run(1); // the crashed batch, with the file that arrived before it
            for (int b = crashBatch; b < BATCHES; b++) {
                arrive(in, input, b);
                second.run(1);
            }
            assertThat(out2.times().get(0).millis()).isEqualTo(crashAt);
            merged.putAll(Restarts.byTime(out2));
        }
        assertThat(merged).as("seed %s, crash in batch %s: running counts, plain Java", seed, crashBatch)
                .isEqualTo(Restarts.runningCounts(input, BATCHES));
    }
}
