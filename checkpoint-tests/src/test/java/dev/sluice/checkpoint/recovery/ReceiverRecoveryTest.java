package dev.sluice.checkpoint.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.ReceiverInput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A receiver input recovers through its write-ahead log: a run that crashes inside a batch (from a
 * user function, as {@code kill -9} would) loses none of that batch's received records, and the
 * resumed run counts each record exactly once, against a plain-Java count of everything sent.
 */
class ReceiverRecoveryTest {
    private static final String[] WORDS = {"ant", "bee", "cat", "dog", "eel", "fox"};
    private static final int BATCHES = 6;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void receiverInput_crashInsideABatch_resumedRunCountsEveryRecordOnce(long seed) {
        Random random = new Random(seed);
        List<List<String>> sent = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<String> batch = new ArrayList<>();
            for (int i = 1 + random.nextInt(30); i > 0; i--) {
                batch.add(WORDS[random.nextInt(WORDS.length)]);
            }
            sent.add(batch);
        }
        int crashBatch = 2 + random.nextInt(3);
        String checkpointDir = dir.toUri().toString();

        try (StreamingTestKit kit = kit(checkpointDir)) {
            ReceiverInput<String> input = kit.receiverInput();
            PairDStream<String, Integer> counts = counts(input);
            counts.foreachBatch((ds, time) -> {
                if (time.millis() == crashBatch * 1000L) {
                    kit.crash();
                }
            });
            for (int b = 0; b < crashBatch; b++) {
                input.send(sent.get(b));
                kit.run(1);
            }
            assertThat(kit.isCrashed()).as("seed %s", seed).isTrue();
        }

        Map<String, Integer> last;
        try (StreamingTestKit kit = kit(checkpointDir)) {
            ReceiverInput<String> input = kit.receiverInput();
            BatchOutput<Pair<String, Integer>> out = kit.collect(counts(input));
            kit.run(1);
            for (int b = crashBatch; b < BATCHES; b++) {
                input.send(sent.get(b));
                kit.run(1);
            }
            assertThat(kit.context().recoveryReport()).as("seed %s: the second run resumed", seed).isPresent();
            assertThat(out.times().get(0).millis()).as("seed %s: the crashed batch ran again first", seed)
                    .isEqualTo(crashBatch * 1000L);
            last = new TreeMap<>();
            for (Pair<String, Integer> p : out.batch(out.size() - 1)) {
                last.put(p.key(), p.value());
            }
        }

        Map<String, Integer> expected = new TreeMap<>();
        sent.forEach(batch -> batch.forEach(w -> expected.merge(w, 1, Integer::sum)));
        assertThat(last).as("seed %s, crash in batch %s: totals after recovery vs plain Java", seed, crashBatch)
                .isEqualTo(expected);
    }

    private static StreamingTestKit kit(String checkpointDir) {
        return StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).checkpointDir(checkpointDir).build();
    }

    private static PairDStream<String, Integer> counts(ReceiverInput<String> input) {
        PairDStream<String, Integer> counts = PairDStream.of(input.stream().uid("words").mapToPair(w -> Pair.of(w, 1)))
                .updateStateByKey((List<Integer> vs, Optional<Integer> s) -> Optional.of(s.orElse(0) + vs.size()))
                .uid("counts");
        counts.checkpoint(Duration.ofSeconds(1));
        return counts;
    }
}
