package dev.sluice.checkpoint.output;

import static dev.sluice.checkpoint.output.Outputs.time;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The output commit log: a kit crashes at some moment of batch {@code k} (in a map before the
 * outputs, inside the first output, inside the second, after both), a second kit recovers on the
 * same checkpoint directory. Outputs the log records for {@code k} are not run again, the others
 * are (with {@code replay} set), and every later batch's output equals a plain-Java running sum, so
 * the state was still recomputed through the skipped outputs.
 */
class OutputCommitLogRecoveryTest {
    private static final int BATCHES = 9;

    @TempDir
    Path tempDir;

    enum Crash { IN_MAP, IN_FIRST_OUTPUT, IN_SECOND_OUTPUT, AFTER_OUTPUTS }

    /** What the outputs did: their "external" stores and how often each ran per batch. */
    static final class Effects {
        final Map<Long, List<String>> first = new ConcurrentSkipListMap<>();
        final Map<Long, List<String>> second = new ConcurrentSkipListMap<>();
        final Map<Long, Integer> firstRuns = new ConcurrentSkipListMap<>();
        final Map<Long, Integer> secondRuns = new ConcurrentSkipListMap<>();
        final Map<Long, Boolean> secondReplay = new ConcurrentSkipListMap<>();
    }

    static Stream<Arguments> crashes() {
        return Stream.of(Crash.values()).flatMap(c -> Stream.of(Arguments.of(c, 101L + c.ordinal()),
                Arguments.of(c, 211L + c.ordinal())));
    }

    private static void pipeline(StreamingTestKit kit, List<List<Integer>> input, Effects effects, Crash crash,
                                 long crashAt) {
        PairDStream<Integer, Integer> sums = PairDStream.of(kit.input(input).uid("numbers").mapPartitions(records -> {
            maybeCrash(kit, crash == Crash.IN_MAP, crashAt);
            return records;
        }).mapToPair(x -> Pair.of(x % 5, x))).updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                Optional.of(s.orElse(0) + vs.stream().mapToInt(Integer::intValue).sum())).uid("sums");
        sums.checkpoint(Duration.ofSeconds(2));
        // An output of a crashed kit does nothing (a killed process would run nothing after the crash).
        sums.foreachBatch((ds, t) -> {
            if (kit.isCrashed()) {
                return;
            }
            List<String> rows = sorted(ds.collect());
            if (kit.isCrashed()) {
                return; // crashed while the batch was computed (in the map): a killed process stops there
            }
            effects.first.put(t.millis(), rows);
            effects.firstRuns.merge(t.millis(), 1, Integer::sum);
            maybeCrash(kit, crash == Crash.IN_FIRST_OUTPUT && t.millis() == crashAt, crashAt);
        }).uid("first");
        sums.foreachBatchWithId((ds, b) -> {
            if (kit.isCrashed()) {
                return;
            }
            List<String> rows = sorted(ds.collect());
            if (kit.isCrashed()) {
                return;
            }
            effects.second.put(b.batchId(), rows);
            effects.secondRuns.merge(b.batchId(), 1, Integer::sum);
            effects.secondReplay.put(b.batchId(), b.replay());
            maybeCrash(kit, crash == Crash.IN_SECOND_OUTPUT && b.batchId() == crashAt, crashAt);
        }).uid("second");
        kit.input(List.<List<Integer>>of()).foreachBatch((ds, t) ->
                maybeCrash(kit, crash == Crash.AFTER_OUTPUTS && t.millis() == crashAt, crashAt)).atLeastOnce();
    }

    private static void maybeCrash(StreamingTestKit kit, boolean here, long crashAt) {
        if (here && crashAt > 0 && !kit.isCrashed() && kit.time().millis() == crashAt) {
            kit.crash();
        }
    }

    private static List<String> sorted(List<Pair<Integer, Integer>> pairs) {
        List<String> out = new ArrayList<>(pairs.stream().map(String::valueOf).toList());
        out.sort(null);
        return out;
    }

    /** Plain Java: after each batch, every key's running sum of the values {@code x} with key {@code x % 5}. */
    private static SortedMap<Long, List<String>> runningSums(List<List<Integer>> input) {
        SortedMap<Long, List<String>> out = new TreeMap<>();
        Map<Integer, Integer> sums = new TreeMap<>();
        for (int b = 0; b < input.size(); b++) {
            input.get(b).forEach(x -> sums.merge(x % 5, x, Integer::sum));
            List<String> row = new ArrayList<>();
            sums.forEach((k, v) -> row.add(Pair.of(k, v).toString()));
            row.sort(null);
            out.put(time(b), row);
        }
        return out;
    }

    @ParameterizedTest(name = "crash {0}, seed {1}")
    @MethodSource("crashes")
    void recovery_committedOutputsOfTheCrashedBatchAreNotRunAgain_stateIsStillRecomputed(Crash crash, long seed) {
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 20);
        int k = 2 + new Random(seed).nextInt(BATCHES - 4);
        long crashAt = time(k);
        Path ckpt = tempDir.resolve("ckpt");
        Effects effects = new Effects();
        StreamingTestKit first = Outputs.kit(ckpt);
        pipeline(first, input, effects, crash, crashAt);
        first.run(BATCHES);
        assertThat(first.isCrashed()).as("crashed in batch %s", crashAt).isTrue();
        first.close();
        Map<Long, Integer> firstRunsBefore = new TreeMap<>(effects.firstRuns);
        Map<Long, Integer> secondRunsBefore = new TreeMap<>(effects.secondRuns);
        effects.secondReplay.clear();

        try (StreamingTestKit second = Outputs.kit(ckpt)) {
            pipeline(second, input, effects, crash, -1);
            second.run(BATCHES - k);
        }
        SortedMap<Long, List<String>> expected = runningSums(input);
        String what = String.format("seed %s, crash %s in batch %s", seed, crash, crashAt);
        assertThat(effects.first).as("%s: first output's store vs plain Java", what).isEqualTo(expected);
        assertThat(effects.second).as("%s: second output's store vs plain Java", what).isEqualTo(expected);

        int firstRunsOfK = crash == Crash.IN_FIRST_OUTPUT ? 2 : 1;
        int secondRunsOfK = crash == Crash.IN_SECOND_OUTPUT ? 2 : 1;
        for (long t : expected.keySet()) {
            assertThat(effects.firstRuns.get(t)).as("%s: runs of the first output in batch %s", what, t)
                    .isEqualTo(t == crashAt ? firstRunsOfK : 1);
            assertThat(effects.secondRuns.get(t)).as("%s: runs of the second output in batch %s", what, t)
                    .isEqualTo(t == crashAt ? secondRunsOfK : 1);
        }
        boolean secondRanKAgain = secondRunsBefore.getOrDefault(crashAt, 0) == 0 || crash == Crash.IN_SECOND_OUTPUT;
        assertThat(effects.secondReplay.containsKey(crashAt)).as("%s: the second output ran batch %s after recovery",
                what, crashAt).isEqualTo(secondRanKAgain);
        if (secondRanKAgain) {
            assertThat(effects.secondReplay.get(crashAt)).as("%s: replay flag of batch %s", what, crashAt).isTrue();
        }
        effects.secondReplay.forEach((t, replay) -> {
            if (t > crashAt) {
                assertThat(replay).as("%s: batch %s is new", what, t).isFalse();
            }
        });
        assertThat(firstRunsBefore.keySet()).as("%s: the first kit got to batch %s", what, crashAt)
                .contains(crash == Crash.IN_MAP ? time(k - 1) : crashAt);
    }
}
