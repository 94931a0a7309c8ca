package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The bad-record policy: FAIL names the record; SKIP drops it once, reports it and dead-letters it. */
class BadRecordPolicyTest {
    /** Calls of the throwing functions on bad records, by seed; static because functions must not capture the test. */
    private static final Map<Long, AtomicInteger> BAD_CALLS = new ConcurrentHashMap<>();

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 8);
    }

    private static StreamingTestKit skippingKit(Random rnd) {
        return StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).parallelism(1 + rnd.nextInt(4))
                .badRecordPolicy(BadRecordPolicy.SKIP).build();
    }

    private static boolean badForMap(int x) {
        return x % 7 == 3;
    }

    private static boolean badForFilter(int x) {
        return x % 5 == 1;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void skip_throwingRecords_areSkippedOnceReportedAndDeadLettered(long seed) {
        Random rnd = new Random(seed);
        List<List<Integer>> in = RandomBatches.ints(rnd);
        in.add(List.of()); // one more batch, for the dead letters of the last data batch
        List<FailedRecord<?>> reported = new CopyOnWriteArrayList<>();
        try (StreamingTestKit kit = skippingKit(rnd)) {
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onRecordFailed(FailedRecord<?> failed) {
                    reported.add(failed);
                }
            });
            DStream<Integer> mapped = kit.input(in).map(x -> {
                if (badForMap(x)) {
                    BAD_CALLS.computeIfAbsent(seed, k -> new AtomicInteger()).incrementAndGet();
                    throw new IllegalArgumentException("bad " + x);
                }
                return x * 10;
            });
            PairDStream<Integer, Integer> halves = mapped.filter(x -> {
                if (badForFilter(x / 10)) {
                    throw new IllegalStateException("filter fails on " + x);
                }
                return true;
            }).mapToPair(x -> Pair.of(x % 3, x)).mapValues(v -> 100 / (v % 4)); // v % 4 == 0 throws
            BatchOutput<Pair<Integer, Integer>> out = kit.collect(halves);
            BatchOutput<FailedRecord<?>> dead = kit.collect(kit.context().deadLetters());
            kit.run(in.size());

            List<List<Pair<Integer, Integer>>> expected = new ArrayList<>();
            List<String> expectedFailures = new ArrayList<>();
            List<List<String>> expectedDead = new ArrayList<>();
            expectedDead.add(List.of());
            for (List<Integer> batch : in) {
                List<Pair<Integer, Integer>> e = new ArrayList<>();
                List<String> failures = new ArrayList<>();
                for (int x : batch) {
                    if (badForMap(x)) {
                        failures.add("map:" + x);
                    } else if (badForFilter(x)) {
                        failures.add("filter:" + x * 10);
                    } else if ((x * 10) % 4 == 0) {
                        failures.add("mapValues:" + x * 10);
                    } else {
                        e.add(Pair.of((x * 10) % 3, 100 / ((x * 10) % 4)));
                    }
                }
                expected.add(e);
                expectedFailures.addAll(failures);
                expectedDead.add(failures);
            }
            expectedDead.remove(expectedDead.size() - 1);
            assertThat(out.batches()).as("seed %s: good records", seed).isEqualTo(expected);
            assertThat(describe(reported)).as("seed %s: reported to listeners", seed)
                    .containsExactlyInAnyOrderElementsOf(expectedFailures);
            long badInputs = in.stream().flatMap(List::stream).filter(BadRecordPolicyTest::badForMap).count();
            assertThat(BAD_CALLS.getOrDefault(seed, new AtomicInteger()).get()).as("seed %s: not retried", seed)
                    .isEqualTo((int) badInputs);
            List<List<String>> deadByBatch = dead.batches().stream().map(BadRecordPolicyTest::describe).toList();
            for (int b = 0; b < expectedDead.size(); b++) {
                assertThat(deadByBatch.get(b)).as("seed %s: dead letters of batch %s", seed, b + 1)
                        .containsExactlyInAnyOrderElementsOf(expectedDead.get(b));
            }
            reported.forEach(f -> {
                assertThat(f.operatorName()).isIn("map", "filter", "mapValues");
                assertThat(f.message()).contains("record '" + f.record() + "'").contains(f.exception().getMessage());
            });
        } finally {
            BAD_CALLS.remove(seed);
        }
    }

    private static List<String> describe(List<? extends FailedRecord<?>> failed) {
        List<String> out = new ArrayList<>();
        for (FailedRecord<?> f : failed) {
            out.add(f.operatorName() + ":" + f.record());
        }
        return out;
    }

    @Test
    void failByDefault_throwingRecord_failsBatchNamingTheRecord() {
        String longRecord = "x".repeat(250) + "-tail";
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            kit.collect(kit.input(List.of(List.of("fine", longRecord))).map(s -> {
                if (s.length() > 10) {
                    throw new IllegalArgumentException("too long");
                }
                return s;
            }));

            assertThatThrownBy(() -> kit.run(1)).hasStackTraceContaining("on record '" + "x".repeat(200) + "...")
                    .hasStackTraceContaining("(255 characters)").hasStackTraceContaining("too long");
        }
    }

    @Test
    void skip_flatMapAndMapMulti_dropOnlyTheFailingRecordsOutput() {
        try (StreamingTestKit kit = skippingKit(new Random(3))) {
            DStream<Integer> s = kit.input(List.of(List.of(1, 2, 3, 4, 5, 6)));
            BatchOutput<Integer> flat = kit.collect(s.flatMap(x -> {
                if (x == 4) {
                    throw new IllegalStateException("no 4");
                }
                return Collections.nCopies(x % 3, x);
            }));
            BatchOutput<Integer> multi = kit.collect(s.<Integer>mapMulti((x, sink) -> {
                sink.accept(x);
                if (x == 5) {
                    throw new IllegalStateException("no 5, after emitting it");
                }
                sink.accept(-x);
            }));
            kit.run(1);

            assertThat(flat.batch(0)).containsExactly(1, 2, 2, 5, 5);
            assertThat(multi.batch(0)).containsExactly(1, -1, 2, -2, 3, -3, 4, -4, 6, -6);
        }
    }

    @Test
    void deadLetters_underFailPolicy_failsSayingHowToEnable() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> kit.context().deadLetters()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("badRecordPolicy(BadRecordPolicy.SKIP)");
        }
    }
}
