package dev.sluice.checkpoint.recovery;

import static dev.sluice.checkpoint.recovery.Restarts.INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.RecoveryReport;
import dev.sluice.streaming.StateSpec;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spark CheckpointSuite-style restart vectors through the test kit: a kit runs part of a seeded
 * input, crashes (before a batch, from inside a user function during one, or after a batch's
 * outputs but before it completed), and a second kit on the same checkpoint directory, with the
 * same pipeline, resumes and runs the rest. The outputs of the two kits together, batch by batch,
 * must equal those of an uninterrupted run of the same input (and, for word counts, a plain-Java
 * reference).
 */
class RestartVectorTest {
    private static final int BATCHES = 12;

    @TempDir
    Path tempDir;

    enum Crash { BEFORE_BATCH, DURING_BATCH, AFTER_OUTPUTS }

    enum Scenario {
        MAP_REDUCE_BY_KEY((kit, in) -> kit.collect(PairDStream.of(in.mapToPair(w -> Pair.of(w, 1))).reduceByKey(Integer::sum))),
        INVERSE_WINDOW((kit, in) -> {
            PairDStream<String, Integer> w = PairDStream.of(in.mapToPair(x -> Pair.of(x, 1)))
                    .reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, Duration.ofSeconds(4), INTERVAL)
                    .uid("window");
            w.checkpoint(Duration.ofSeconds(2));
            return kit.collect(w);
        }),
        UPDATE_STATE_BY_KEY((kit, in) -> {
            PairDStream<String, Integer> counts = PairDStream.of(in.mapToPair(w -> Pair.of(w, 1)))
                    .updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                            Optional.of(s.orElse(0) + vs.stream().mapToInt(Integer::intValue).sum()))
                    .uid("counts");
            counts.checkpoint(Duration.ofSeconds(3));
            return kit.collect(counts);
        }),
        MAP_WITH_STATE_TIMEOUT((kit, in) -> {
            StateSpec<String, Integer, Integer, String> spec = StateSpec.<String, Integer, Integer, String>function(
                    (key, value, state) -> {
                        if (state.isTimingOut()) {
                            return "timeout " + key + "=" + state.get();
                        }
                        int n = state.toOptional().orElse(0) + value.orElse(0);
                        state.update(n);
                        return key + "=" + n;
                    }).timeout(Duration.ofSeconds(3));
            // Default checkpoint interval (10 s): recovery before it recomputes from the recorded inputs.
            return kit.collect(PairDStream.of(in.mapToPair(w -> Pair.of(w, 1))).mapWithState(spec).uid("sessions"));
        });

        final Restarts.Pipeline pipeline;

        Scenario(Restarts.Pipeline pipeline) {
            this.pipeline = pipeline;
        }
    }

    static Stream<Arguments> vectors() {
        return Stream.of(Scenario.values()).flatMap(s -> Stream.of(Crash.values()).flatMap(c ->
                Stream.of(Arguments.of(s, c, 3, 11L + s.ordinal()), Arguments.of(s, c, 10, 17L + c.ordinal()))));
    }

    @ParameterizedTest(name = "{0}, crash {1} after batch {2}, seed {3}")
    @MethodSource("vectors")
    void restartedRun_givesTheOutputsOfAnUninterruptedRun(Scenario scenario, Crash crash, int completed, long seed) {
        List<List<String>> input = Restarts.words(seed, BATCHES, 12);
        TreeMap<Long, List<String>> expected = Restarts.uninterrupted(tempDir.resolve("reference"),
                kit -> scenario.pipeline.define(kit, tap(kit, kit.input(input), -1)), BATCHES);
        Path dir = tempDir.resolve("ckpt");
        long crashAt = (completed + 1) * INTERVAL.toMillis();

        TreeMap<Long, List<String>> merged = new TreeMap<>();
        StreamingTestKit first = Restarts.kit(dir);
        BatchOutput<?> out1 = scenario.pipeline.define(first, tap(first, first.input(input),
                crash == Crash.DURING_BATCH ? crashAt : -1));
        if (crash == Crash.AFTER_OUTPUTS) {
            first.input(List.<List<String>>of()).foreachBatch((ds, t) -> {
                if (t.millis() == crashAt) {
                    first.crash();
                }
            });
        }
        if (crash == Crash.BEFORE_BATCH) {
            first.run(completed);
            first.crash();
        } else {
            first.run(BATCHES);
            assertThat(first.isCrashed()).as("the first kit crashed in batch %s", crashAt).isTrue();
        }
        first.close();
        merged.putAll(Restarts.byTime(out1));

        try (StreamingTestKit second = Restarts.kit(dir)) {
            BatchOutput<?> out2 = scenario.pipeline.define(second, tap(second, second.input(input), -1));
            second.run(BATCHES - completed);
            RecoveryReport report = second.context().recoveryReport().orElseThrow();
            assertThat(report.lastCompletedBatch().millis()).as("resumed after the last completed batch")
                    .isEqualTo(completed * INTERVAL.toMillis());
            assertThat(out2.times().get(0).millis()).as("the first batch of the resumed kit").isEqualTo(crashAt);
            merged.putAll(Restarts.byTime(out2));
        }
        assertThat(merged).as("%s, crash %s after batch %s, seed %s: per-batch outputs of the restarted run",
                scenario, crash, completed, seed).isEqualTo(expected);
        if (scenario == Scenario.UPDATE_STATE_BY_KEY) {
            assertThat(merged).as("seed %s: running counts, plain Java", seed)
                    .isEqualTo(Restarts.runningCounts(input, BATCHES));
        }
    }

    /**
     * Adds, ahead of the pipeline, an output that notes the running batch's time, and a function that
     * crashes the kit from inside the task of batch {@code crashAt} (if not -1).
     */
    private static DStream<String> tap(StreamingTestKit kit, DStream<String> in, long crashAt) {
        AtomicLong running = new AtomicLong();
        in.foreachBatch((ds, t) -> running.set(t.millis()));
        // Per partition, so that it runs in a batch with no records too.
        return in.mapPartitions(records -> {
            if (crashAt > 0 && running.get() == crashAt && !kit.isCrashed()) {
                kit.crash();
            }
            return records;
        });
    }
}
